using Orleans;

namespace OrleansKb;

/// <summary>
/// A space kept in the silo's memory only, whatever the silo's store: for scratch work, and to
/// compare a durable load with an in-memory one. Its names are its own: the ephemeral space
/// <c>x</c> and the durable space <c>x</c> are two spaces.
/// </summary>
[Alias("OrleansKb.IEphemeralEnvironmentGrain")]
public interface IEphemeralEnvironmentGrain : IEnvironmentGrain
{
}
