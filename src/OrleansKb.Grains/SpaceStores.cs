namespace OrleansKb.Grains;

/// <summary>The keys under which a silo's stores are registered.</summary>
public static class SpaceStores
{
    /// <summary>The store of ephemeral spaces: this silo's memory, whatever the silo's own store.</summary>
    public const string Ephemeral = "ephemeral";
}
