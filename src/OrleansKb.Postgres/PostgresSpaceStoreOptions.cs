using Microsoft.Extensions.Configuration;

namespace OrleansKb.Persistence.Postgres;

/// <summary>The PostgreSQL store's settings (<see cref="PostgresSiloBuilderExtensions.UsePostgresSpaceStore"/>); the silo binds them from its settings (<c>PostgresConnection</c>).</summary>
public sealed class PostgresSpaceStoreOptions
{
    /// <summary>The database, an Npgsql connection string (<c>Host=…;Username=…;Password=…;Database=…</c>).</summary>
    [ConfigurationKeyName("PostgresConnection")]
    public string? ConnectionString { get; set; }
}
