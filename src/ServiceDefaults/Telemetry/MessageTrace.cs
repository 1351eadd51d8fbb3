using System.Diagnostics;
using MassTransit;

namespace Predictions.ServiceDefaults.Telemetry;

/// <summary>
/// The span a received message belongs to, kept with the message. A batch consumer handles many messages under the
/// span of the last one; with this, the write of each message is recorded in that message's own trace.
/// </summary>
public sealed record MessageTrace(Guid PredictionId, ActivityContext Span)
{
    /// <summary>
    /// Records one span per message of the batch, under the message's own span, for a write that covered them all
    /// from <paramref name="start"/> to <paramref name="end"/>.
    /// </summary>
    public static void RecordBatch<T>(string name, Batch<T> batch, DateTimeOffset start, DateTimeOffset end)
        where T : class
    {
        if (!PredictionTracing.Source.HasListeners())
        {
            return;
        }

        foreach (var message in batch)
        {
            if (message.ReceiveContext.TryGetPayload<MessageTrace>(out var trace))
            {
                PredictionTracing.Record(name, trace.PredictionId, start, end, trace.Span);
            }
        }
    }
}
