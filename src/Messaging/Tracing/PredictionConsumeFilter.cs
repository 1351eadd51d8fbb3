using System.Diagnostics;
using MassTransit;
using MassTransit.Logging;
using Microsoft.Extensions.Logging;
using Predictions.Contracts;
using Predictions.Messaging.Requests;
using Predictions.ServiceDefaults.Telemetry;

namespace Predictions.Messaging.Tracing;

/// <summary>
/// Before any consumer sees a message about a prediction (a batch consumer's batch is not one): every log line written
/// while it is consumed carries the prediction id (a logging scope, beside the trace and span ids the host adds), and
/// so does its span. A request from a plain AMQP publisher that sent a W3C <c>traceparent</c> header, and not
/// MassTransit's own, is consumed in the publisher's trace.
/// </summary>
public sealed class PredictionConsumeFilter<T>(ILogger<PredictionConsumeFilter<T>> logger) : IFilter<ConsumeContext<T>>
    where T : class
{
    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";

    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        if (PredictionIdOf(context) is not { } predictionId)
        {
            await next.Send(context);
            return;
        }

        using var scope = logger.BeginScope(new KeyValuePair<string, object>[] { new("PredictionId", predictionId) });
        using var continued = ContinuePublisherTrace(context);
        Activity.Current?.SetTag(PredictionTracing.PredictionIdTag, predictionId.ToString("D"));

        await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("prediction-context");

    private static Guid? PredictionIdOf(ConsumeContext<T> context) => context switch
    {
        ConsumeContext<PredictionRequest> request => request.PredictionId(),
        _ => context.Message is PredictionOutcome outcome ? outcome.PredictionId : null,
    };

    /// <summary>
    /// MassTransit reads a parent span only from its own header, so a request that came with just a <c>traceparent</c>
    /// began a trace of its own. A span under the publisher's, linked to that one, carries the rest of the consume.
    /// </summary>
    private static Activity? ContinuePublisherTrace(ConsumeContext<T> context)
    {
        var headers = context.ReceiveContext.TransportHeaders;
        if (!PredictionTracing.Source.HasListeners()
            || headers.TryGetHeader(DiagnosticHeaders.ActivityId, out _)
            || !headers.TryGetHeader(TraceParentHeader, out var traceParent)
            || traceParent is not string parentId)
        {
            return null;
        }

        var traceState = headers.TryGetHeader(TraceStateHeader, out var state) ? state as string : null;
        if (!ActivityContext.TryParse(parentId, traceState, isRemote: true, out var parent))
        {
            return null;
        }

        var links = Activity.Current is { } started ? new[] { new ActivityLink(started.Context) } : null;
        var queue = context.ReceiveContext.InputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        return PredictionTracing.Source.StartActivity($"{queue} receive", ActivityKind.Consumer, parent, links: links);
    }
}
