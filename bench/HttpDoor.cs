using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Predictions.Bench;

/// <summary>
/// The first door, as an HTTP client would use it: submit with <c>?wait=</c>, and when the answer is 202,
/// long-poll <c>GET /predictions/{id}?wait=</c> until the prediction finishes. With a <c>pollInterval</c> it is
/// the plainer client most have instead: submit without a wait, then <c>GET</c> the Location every interval
/// until the prediction is no longer queued; every GET counts in the result's polls. Without <c>awaitOutcome</c>
/// a request counts as done once the gateway accepted it. With several gateways each client keeps to one
/// (clients spread round-robin) and polls the gateway it submitted to; the outcome delay it records (worker
/// done to client told) shows what waiting on a gateway that did not consume the outcome costs. With a
/// <c>model</c> every request names it; with a <c>duration</c> no request starts after it has passed, and with <c>until</c>
/// none once it returns true (what is in flight then still finishes and counts).
/// </summary>
public static class HttpDoor
{
    private const int WaitSeconds = 30;

    public static async Task<LoadResult> RunAsync(
        IReadOnlyList<Uri> gateways, WorkloadPlan plan, bool awaitOutcome, Action<LoadResult> progress, CancellationToken cancellationToken,
        string? model = null, TimeSpan? duration = null, Func<bool>? until = null, TimeSpan? pollInterval = null)
    {
        var result = new LoadResult();

        // Each client has one request in flight at a time, so a connection per client keeps them all alive and reused.
        using var http = new HttpClient(
            new SocketsHttpHandler { MaxConnectionsPerServer = plan.Concurrency, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            Timeout = TimeSpan.FromSeconds(WaitSeconds + 30),
        };

        var next = -1;
        var clock = Stopwatch.StartNew();
        using var reporter = Progress.Every(TimeSpan.FromSeconds(1), () => progress(result));
        await Task.WhenAll(Enumerable.Range(0, plan.Concurrency).Select(client => Task.Run(async () =>
        {
            var gateway = gateways[client % gateways.Count];
            int index;
            while ((index = Interlocked.Increment(ref next)) < plan.Requests && !cancellationToken.IsCancellationRequested
                && (duration is not { } limit || clock.Elapsed < limit) && until?.Invoke() != true)
            {
                var started = Stopwatch.GetTimestamp();
                var status = await PredictAsync(http, gateway, index, model, awaitOutcome, pollInterval, result, cancellationToken);
                if (status is null)
                {
                    result.RecordLost();
                }
                else
                {
                    result.Record(status == "completed", Stopwatch.GetElapsedTime(started));
                }
            }
        }, cancellationToken)));
        result.Elapsed = clock.Elapsed;
        return result;
    }

    /// <summary>The prediction's final status, or null when it did not finish in time.</summary>
    private static async Task<string?> PredictAsync(
        HttpClient http, Uri gateway, int index, string? model, bool awaitOutcome, TimeSpan? pollInterval, LoadResult result,
        CancellationToken cancellationToken)
    {
        var wait = awaitOutcome && pollInterval is null ? $"?wait={WaitSeconds}" : "";
        var deadline = Stopwatch.GetTimestamp() + (long)(Requests.Timeout.TotalSeconds * Stopwatch.Frequency);
        var named = model is null ? "" : $",\"model\":\"{model}\"";
        using var content = new StringContent(
            $$"""{"itemId":{{index}},"featureValue":{{index % 100}}.5{{named}}}""", Encoding.UTF8, "application/json");
        using var submitted = await http.PostAsync(
            new Uri(gateway, $"/predictions{wait}"), content, cancellationToken);
        if (submitted.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Accepted))
        {
            return "rejected";
        }

        if (!awaitOutcome)
        {
            return "completed";
        }

        var prediction = await submitted.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var location = submitted.Headers.Location is { } given
            ? new Uri(gateway, given)
            : new Uri(gateway, $"/predictions/{prediction.GetProperty("id").GetString()}");
        while (prediction.GetProperty("status").GetString() == "queued")
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return null;
            }

            if (pollInterval is { } interval)
            {
                await Task.Delay(interval, cancellationToken);
            }

            result.RecordPoll();
            using var polled = await http.GetAsync(new Uri(location, wait), cancellationToken);

            // A request the gateway could not record yet is 404 until its outcome records it: a client polls on.
            if (polled.StatusCode != HttpStatusCode.NotFound)
            {
                prediction = await polled.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            }
        }

        // The worker's clock and ours are the same host's: the difference is broker, store and wake-up time.
        if (prediction.TryGetProperty("completedAt", out var completedAt) && completedAt.ValueKind == JsonValueKind.String)
        {
            result.RecordOutcomeDelay(DateTimeOffset.UtcNow - completedAt.GetDateTimeOffset());
        }

        return prediction.GetProperty("status").GetString();
    }
}
