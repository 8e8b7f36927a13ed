using Microsoft.Extensions.Options;

namespace OrleansKb.Grains;

/// <summary>Refuses <see cref="PartitionOptions"/> a silo cannot run with, in one line naming the setting.</summary>
internal sealed class PartitionOptionsValidation : IValidateOptions<PartitionOptions>
{
    public ValidateOptionsResult Validate(string? name, PartitionOptions options) =>
        options.PartitionMaxAtoms < PartitionOptions.MinPartitionMaxAtoms
            ? ValidateOptionsResult.Fail($"PartitionMaxAtoms must be at least {PartitionOptions.MinPartitionMaxAtoms}, not {options.PartitionMaxAtoms}")
            : ValidateOptionsResult.Success;
}
