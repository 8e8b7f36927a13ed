namespace OrleansKb.Tests;

/// <summary>A clock that moves only when a test moves it; it starts a day after its origin, as a machine's clock has been running a while.</summary>
internal sealed class ManualTime : TimeProvider
{
    private long _now = TimeSpan.TicksPerDay;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _now;

    public void Advance(TimeSpan by) => _now += by.Ticks;
}
