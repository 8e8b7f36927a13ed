namespace OrleansKb.Benchmarks;

/// <summary><see cref="ShortRunConfig"/> plus an MB/s column over the size of royal92.metta.</summary>
public class ReaderConfig : ShortRunConfig
{
    public ReaderConfig() => AddColumn(new ThroughputColumn(() => Royal92.Length));
}
