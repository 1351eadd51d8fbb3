using MassTransit;

namespace Predictions.Messaging.Outages;

/// <summary>
/// Outside every message's pipe: a delivery whose return after an outage was refused (<see cref="OutageReturnRefusedException"/>)
/// is cancelled, which MassTransit answers by handing it back to the broker unacknowledged, not by the error queue.
/// </summary>
public sealed class RefusedReturnFilter : IFilter<ConsumeContext>
{
    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        try
        {
            await next.Send(context);
        }
        catch (OutageReturnRefusedException ex)
        {
            throw new OperationCanceledException(ex.Message, ex);
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("refused-return");
}
