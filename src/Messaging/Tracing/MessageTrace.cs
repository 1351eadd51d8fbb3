using System.Diagnostics;
using MassTransit;
using Predictions.Contracts;
using Predictions.ServiceDefaults.Telemetry;

namespace Predictions.Messaging.Tracing;

/// <summary>The span a received message belongs to, kept with the message by <see cref="MessageTraceFilter"/>.</summary>
public sealed record MessageTrace(ActivityContext Span)
{
    /// <summary>
    /// Records one span per outcome of the batch, under the span its message was received under, for a write that
    /// covered them all from <paramref name="start"/> to <paramref name="end"/>.
    /// </summary>
    public static void RecordBatch<T>(string name, Batch<T> batch, DateTimeOffset start, DateTimeOffset end)
        where T : PredictionOutcome
    {
        if (!PredictionTracing.Source.HasListeners())
        {
            return;
        }

        foreach (var message in batch)
        {
            if (message.ReceiveContext.TryGetPayload<MessageTrace>(out var trace))
            {
                PredictionTracing.Record(name, message.Message.PredictionId, start, end, trace.Span);
            }
        }
    }
}
