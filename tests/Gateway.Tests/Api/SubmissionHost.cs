using System.Diagnostics.Metrics;
using System.Security.Claims;
using System.Text;
using MassTransit;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Predictions.Contracts;
using Predictions.Gateway.Api;
using Predictions.Gateway.Auth;
using Predictions.Gateway.Backpressure;
using Predictions.Gateway.Idempotency;
using Predictions.Gateway.Publishing;
using Predictions.Gateway.Routing;
using Predictions.Gateway.Status;
using Predictions.Gateway.Telemetry;
using Predictions.Messaging;

namespace Predictions.Gateway.Tests.Api;

/// <summary>
/// The gateway's submission as the gateway wires it, on a real results store in a temporary folder, with
/// a <see cref="ScriptedBroker"/> in place of RabbitMQ.
/// </summary>
public sealed class SubmissionHost : IAsyncDisposable
{
    public const int WorkQueueMaxLength = 50;

    private readonly string _folder;
    private readonly IHost _host;
    private readonly MetricCollector<long> _submissions;

    private SubmissionHost(string folder, IHost host, ScriptedBroker broker)
    {
        _folder = folder;
        _host = host;
        Broker = broker;
        _submissions = new MetricCollector<long>(
            host.Services.GetRequiredService<IMeterFactory>(), GatewayMetrics.MeterName, "prediction.submissions");
    }

    public ScriptedBroker Broker { get; }

    public string ResultsDatabase => Path.Combine(_folder, "results.db");

    public PredictionStatusStore Store => _host.Services.GetRequiredService<PredictionStatusStore>();

    public DrainRate Drain => _host.Services.GetRequiredService<DrainRate>();

    /// <summary>The requests the broker confirmed.</summary>
    public IReadOnlyList<PredictionRequest> Published => [.. Broker.Confirmed];

    /// <summary>The result of each submission counted so far, in order.</summary>
    public IReadOnlyList<string?> Counted =>
        [.. _submissions.GetMeasurementSnapshot().Select(m => m.Tags["prediction.submission.result"] as string)];

    /// <summary>Starts the services; <paramref name="settings"/> override configuration, e.g. <c>Gateway:PublishTimeout</c>.</summary>
    public static async Task<SubmissionHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var folder = Directory.CreateTempSubdirectory("submission-").FullName;
        var broker = new ScriptedBroker();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Results"] = $"Data Source={Path.Combine(folder, "results.db")}",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.AddPredictionApi();
        builder.AddStatusStore();
        builder.AddIdempotency();
        builder.AddBackpressure();
        builder.AddModelRouting();
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddOptions<WorkQueueOptions>().Configure(options => options.MaxLength = WorkQueueMaxLength);
        // The real publisher binds its own setting; this stand-in still needs it for the submission's deadline.
        builder.Services.AddOptions<PublishingOptions>().BindConfiguration(PublishingOptions.Section);
        builder.Services.AddSingleton<ISubmissionPublisher>(broker);
        builder.Services.AddSingleton<IWorkQueueDepth>(broker);
        // The rollout's announcements go to an in-memory bus: no broker carries them here.
        builder.Services.AddMassTransitTestHarness();

        var host = new SubmissionHost(folder, builder.Build(), broker);
        await host._host.StartAsync();
        return host;
    }

    /// <summary>
    /// <c>POST /predictions{query}</c> with a JSON <paramref name="body"/>, as the client with API key
    /// <paramref name="apiKey"/> (none when null), and what the client hears; <paramref name="aborted"/> is the
    /// client's connection, cancelled when it goes away; <paramref name="bodyRead"/> is told once the whole body was read.
    /// </summary>
    public async Task<Answer> SubmitAsync(
        string body,
        string query = "",
        string? idempotencyKey = null,
        string? apiKey = null,
        string contentType = "application/json",
        TaskCompletionSource? bodyRead = null,
        CancellationToken aborted = default)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider, RequestAborted = aborted };
        var content = Encoding.UTF8.GetBytes(body);
        http.Request.Method = HttpMethods.Post;
        http.Request.Path = "/predictions";
        http.Request.QueryString = new QueryString(query);
        http.Request.ContentType = contentType;
        http.Request.ContentLength = content.Length;
        http.Request.Body = new ReadToEndSignal(content, bodyRead);
        if (idempotencyKey is not null)
        {
            http.Request.Headers[RequestParameters.IdempotencyKeyHeader] = idempotencyKey;
        }

        if (apiKey is not null)
        {
            http.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, apiKey)], ApiKeyAuthenticationHandler.SchemeName));
        }

        var response = new MemoryStream();
        http.Response.Body = response;
        var answer = await scope.ServiceProvider.GetRequiredService<PredictionSubmission>().SubmitAsync(http.Request);
        await answer.ExecuteAsync(http);
        return new Answer(http.Response.StatusCode, http.Response.Headers, Encoding.UTF8.GetString(response.ToArray()), http.Response.ContentType);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        _submissions.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>A request body that tells when it has been read to its end.</summary>
    private sealed class ReadToEndSignal(byte[] content, TaskCompletionSource? read) : MemoryStream(content)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var count = await base.ReadAsync(buffer, cancellationToken);
            if (count == 0)
            {
                read?.TrySetResult();
            }

            return count;
        }
    }
}
