namespace OrleansKb.Benchmarks;

/// <summary><see cref="ShortRunConfig"/> plus an ns/atom column over the <c>Atoms</c> parameter.</summary>
public class PerAtomConfig : ShortRunConfig
{
    public PerAtomConfig() => AddColumn(new PerAtomColumn());
}
