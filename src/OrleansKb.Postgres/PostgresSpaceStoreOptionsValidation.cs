using Microsoft.Extensions.Options;

namespace OrleansKb.Persistence.Postgres;

/// <summary>Refuses <see cref="PostgresSpaceStoreOptions"/> without a connection string that parses, in one line.</summary>
internal sealed class PostgresSpaceStoreOptionsValidation : IValidateOptions<PostgresSpaceStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgresSpaceStoreOptions options)
    {
        if (string.IsNullOrEmpty(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail("Store Postgres needs PostgresConnection (Host=…;Username=…;Database=…)");
        }

        try
        {
            _ = PostgresSpaceStore.ParseConnectionString(options.ConnectionString);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
