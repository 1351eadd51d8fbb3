using System.Diagnostics;
using MassTransit;

namespace Predictions.Messaging.Tracing;

/// <summary>
/// Keeps with each received message the span it is received under, while that span is current: a batch consumer
/// sees its messages later, all under the span of the last one, and records each message's write in its own trace.
/// </summary>
public sealed class MessageTraceFilter : IFilter<ReceiveContext>
{
    public Task Send(ReceiveContext context, IPipe<ReceiveContext> next)
    {
        if (Activity.Current is { Recorded: true } span)
        {
            context.GetOrAddPayload(() => new MessageTrace(span.Context));
        }

        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("message-trace");
}
