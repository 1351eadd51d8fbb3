using MassTransit;
using Predictions.Contracts;
using Predictions.ServiceDefaults.Messaging;

namespace Predictions.Gateway.Status;

/// <summary>
/// Sees every request on <c>prediction-requests</c>, so one published straight to RabbitMQ is pollable
/// as <c>queued</c> like one submitted over HTTP. Those the gateway published itself are already recorded.
/// A request published straight to RabbitMQ has no owner: any API key may read it.
/// </summary>
public sealed class QueuedRequestConsumer(PredictionStatusStore store) : IConsumer<Batch<PredictionRequest>>
{
    public async Task Consume(ConsumeContext<Batch<PredictionRequest>> context)
    {
        // A request the worker will reject is not tracked: the worker's error queue has it, with the reason.
        var direct = context.Message
            .Where(m => m.Headers.Get<string>(Doors.Header) != Doors.Http && double.IsFinite(m.Message.FeatureValue))
            .Select(m => m.PredictionId() is { } id ? m.Message with { PredictionId = id } : null)
            .OfType<PredictionRequest>()
            .ToList();
        if (direct.Count > 0)
        {
            await store.AddQueuedAsync(direct, owner: null, context.CancellationToken);
        }
    }
}
