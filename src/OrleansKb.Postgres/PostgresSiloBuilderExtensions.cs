using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OrleansKb.Persistence.Postgres;

/// <summary>Keeps a silo's spaces in PostgreSQL.</summary>
public static class PostgresSiloBuilderExtensions
{
    /// <summary>
    /// Keeps the silo's spaces in the PostgreSQL database <paramref name="configure"/> names
    /// (<see cref="PostgresSpaceStoreOptions"/>, validated when the host starts): a store every silo
    /// of a cluster shares (<see cref="PostgresSpaceStore"/>).
    /// </summary>
    public static ISiloBuilder UsePostgresSpaceStore(this ISiloBuilder silo, Action<OptionsBuilder<PostgresSpaceStoreOptions>> configure)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configure);
        configure(silo.Services.AddOptions<PostgresSpaceStoreOptions>().ValidateOnStart());
        silo.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresSpaceStoreOptions>, PostgresSpaceStoreOptionsValidation>());
        silo.Services.AddSingleton<ISpaceStore>(services => new PostgresSpaceStore(services.GetRequiredService<IOptions<PostgresSpaceStoreOptions>>().Value.ConnectionString!));
        return silo;
    }
}
