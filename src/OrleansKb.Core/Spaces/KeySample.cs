namespace OrleansKb.Spaces;

/// <summary>
/// A uniform sample of at most <see cref="Capacity"/> keys from a stream of any length (reservoir
/// sampling), from which a new space's split keys are chosen (<see cref="PartitionMap.SplitsOf"/>).
/// Seeded: the same keys in the same order give the same sample. Not thread-safe.
/// </summary>
public sealed class KeySample(int capacity = KeySample.DefaultCapacity, int seed = 17)
{
    /// <summary>Enough for quantiles within a fraction of a percent at any partition count a cluster has.</summary>
    public const int DefaultCapacity = 16_384;

    private readonly List<byte[]> _keys = new(Math.Min(capacity, DefaultCapacity));
    private readonly Random _random = new(seed);

    /// <summary>The most keys kept.</summary>
    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    /// <summary>How many keys were offered.</summary>
    public long Seen { get; private set; }

    /// <summary>The sample.</summary>
    public IReadOnlyCollection<byte[]> Keys => _keys;

    /// <summary>Offers one key: kept with probability <see cref="Capacity"/> ÷ <see cref="Seen"/>.</summary>
    public void Offer(ReadOnlySpan<byte> key)
    {
        Seen++;
        if (_keys.Count < Capacity)
        {
            _keys.Add(key.ToArray());
            return;
        }

        var slot = _random.NextInt64(Seen);
        if (slot < Capacity)
        {
            _keys[(int)slot] = key.ToArray();
        }
    }
}
