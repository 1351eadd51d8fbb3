using System.Diagnostics;
using MassTransit;
using MassTransit.Logging;

namespace Predictions.Messaging.Tracing;

/// <summary>
/// Carries a "not sampled" decision across the broker. Under a span that is not recorded, the SDK makes no send span,
/// so MassTransit writes no trace header, and the receiving host would start a trace of its own and sample it anew:
/// a prediction's trace kept in part, on one host and not the other. With the header, the receiver follows the decision.
/// </summary>
public sealed class UnsampledTraceFilter<T> : IFilter<SendContext<T>>, IFilter<PublishContext<T>>
    where T : class
{
    public Task Send(SendContext<T> context, IPipe<SendContext<T>> next)
    {
        Propagate(context);
        return next.Send(context);
    }

    public Task Send(PublishContext<T> context, IPipe<PublishContext<T>> next)
    {
        Propagate(context);
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("unsampled-trace");

    // A recorded span gets a send span of its own, whose id MassTransit writes over this one.
    private static void Propagate(SendContext context)
    {
        if (Activity.Current is { Recorded: false, Id: { } id } && !context.Headers.TryGetHeader(DiagnosticHeaders.ActivityId, out _))
        {
            context.Headers.Set(DiagnosticHeaders.ActivityId, id);
        }
    }
}
