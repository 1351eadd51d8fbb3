using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Predictions.Bench;

/// <summary>
/// The first door, as an HTTP client would use it: submit with <c>?wait=</c>, and when the answer is 202,
/// long-poll <c>GET /predictions/{id}?wait=</c> until the prediction finishes. Without <c>awaitOutcome</c>
/// a request counts as done once the gateway accepted it.
/// </summary>
public static class HttpDoor
{
    private const int WaitSeconds = 30;

    public static async Task<LoadResult> RunAsync(Uri gateway, WorkloadPlan plan, bool awaitOutcome, Action<LoadResult> progress, CancellationToken cancellationToken)
    {
        var result = new LoadResult();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = plan.Concurrency, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = gateway,
            Timeout = TimeSpan.FromSeconds(WaitSeconds + 30),
        };

        var next = -1;
        var clock = Stopwatch.StartNew();
        using var reporter = Progress.Every(TimeSpan.FromSeconds(1), () => progress(result));
        await Task.WhenAll(Enumerable.Range(0, plan.Concurrency).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < plan.Requests && !cancellationToken.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                var status = await PredictAsync(http, index, awaitOutcome, cancellationToken);
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
    private static async Task<string?> PredictAsync(HttpClient http, int index, bool awaitOutcome, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Requests.Timeout.TotalSeconds * Stopwatch.Frequency);
        using var content = new StringContent($$"""{"itemId":{{index}},"featureValue":{{index % 100}}.5}""", Encoding.UTF8, "application/json");
        using var submitted = await http.PostAsync(awaitOutcome ? $"/predictions?wait={WaitSeconds}" : "/predictions", content, cancellationToken);
        if (submitted.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Accepted))
        {
            return "rejected";
        }

        if (!awaitOutcome)
        {
            return "completed";
        }

        var prediction = await submitted.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        while (prediction.GetProperty("status").GetString() == "queued")
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return null;
            }

            prediction = await http.GetFromJsonAsync<JsonElement>($"/predictions/{prediction.GetProperty("id").GetString()}?wait={WaitSeconds}", cancellationToken);
        }

        return prediction.GetProperty("status").GetString();
    }
}
