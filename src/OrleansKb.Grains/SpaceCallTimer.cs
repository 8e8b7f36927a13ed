using System.Diagnostics;
using OrleansKb.Diagnostics;

namespace OrleansKb.Grains;

/// <summary>Times every call on a space (<see cref="KbMetrics"/>: <c>orleanskb.space.call.duration</c>, by method).</summary>
internal sealed class SpaceCallTimer : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.TargetContext.GrainInstance is not EnvironmentGrainBase)
        {
            await context.Invoke();
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await context.Invoke();
        }
        finally
        {
            KbMetrics.CallEnded(context.ImplementationMethod.Name, started);
        }
    }
}
