using MassTransit;
using Predictions.Contracts;
using Predictions.ServiceDefaults.Messaging;

namespace Predictions.Gateway.Status;

/// <summary>
/// Sees every request on <c>prediction-requests</c>, so one published straight to RabbitMQ is pollable
/// as <c>queued</c> like one submitted over HTTP (for those the row already exists and nothing changes).
/// </summary>
public sealed class QueuedRequestConsumer(PredictionStatusStore store) : IConsumer<PredictionRequest>
{
    public async Task Consume(ConsumeContext<PredictionRequest> context)
    {
        // A request the worker will reject is not tracked: the worker's error queue has it, with the reason.
        if (context.PredictionId() is { } id && double.IsFinite(context.Message.FeatureValue))
        {
            await store.AddQueuedAsync(context.Message with { PredictionId = id }, context.CancellationToken);
        }
    }
}
