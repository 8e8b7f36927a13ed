using Microsoft.Extensions.Options;

namespace OrleansKb.Grains;

/// <summary>Refuses <see cref="FileSpaceStoreOptions"/> without a data directory, in one line.</summary>
internal sealed class FileSpaceStoreOptionsValidation : IValidateOptions<FileSpaceStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, FileSpaceStoreOptions options) =>
        string.IsNullOrWhiteSpace(options.DataDirectory)
            ? ValidateOptionsResult.Fail("Store File needs DataDirectory (a folder; leave it out for the default)")
            : ValidateOptionsResult.Success;
}
