using Microsoft.Extensions.Options;

namespace OrleansKb.Grains;

/// <summary>Refuses <see cref="MemoryOptions"/> a silo cannot run with, in one line naming the setting.</summary>
internal sealed class MemoryOptionsValidation : IValidateOptions<MemoryOptions>
{
    public ValidateOptionsResult Validate(string? name, MemoryOptions options) => options switch
    {
        { MaxMemory: < 0 } => ValidateOptionsResult.Fail($"MaxMemory must be 0 (the garbage collector's limit) or a number of bytes, not {options.MaxMemory}"),
        { MemoryHighWaterPercent: < 10 or > 99 } => ValidateOptionsResult.Fail($"MemoryHighWaterPercent must be from 10 to 99, not {options.MemoryHighWaterPercent}"),
        _ => ValidateOptionsResult.Success,
    };
}
