using Microsoft.Extensions.Options;

namespace OrleansKb.Grains;

/// <summary>Refuses <see cref="DurabilityOptions"/> a silo cannot run with, in one line naming the setting.</summary>
internal sealed class DurabilityOptionsValidation : IValidateOptions<DurabilityOptions>
{
    public ValidateOptionsResult Validate(string? name, DurabilityOptions options) =>
        options.SnapshotLogBytes < DurabilityOptions.MinSnapshotLogBytes
            ? ValidateOptionsResult.Fail($"SnapshotLogBytes must be at least {DurabilityOptions.MinSnapshotLogBytes}, not {options.SnapshotLogBytes}")
            : ValidateOptionsResult.Success;
}
