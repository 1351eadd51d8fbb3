using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Predictions.Harness;
using Predictions.Worker.Metadata;

namespace Predictions.Worker.Tests.Metadata;

/// <summary>The HTTP metadata source against a real HTTP server on loopback.</summary>
public sealed class HttpMetadataSourceTests : IAsyncLifetime
{
    private MetadataServer _server = null!;

    public async Task InitializeAsync() => _server = await MetadataServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Returns_the_items_numeric_features_and_ignores_the_rest()
    {
        using var host = Build();

        var metadata = await Source(host).GetAsync(42, CancellationToken.None);

        Assert.Equal(MetadataServer.FeaturesOf(42), metadata);
    }

    [Fact]
    public async Task An_unknown_item_is_a_permanent_failure_asked_once()
    {
        _server.UnknownItems[404] = true;
        using var host = Build();

        var error = await Assert.ThrowsAsync<UnknownItemException>(() => Source(host).GetAsync(404, CancellationToken.None));

        Assert.Contains("unknown item 404", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _server.RequestsFor(404));
    }

    [Fact]
    public async Task A_number_no_double_holds_is_unreadable_metadata_asked_once_and_named()
    {
        _server.RawItems[3] = """{"category": 2, "price": 1e400}""";
        using var host = Build();

        var error = await Assert.ThrowsAsync<UnreadableMetadataException>(() => Source(host).GetAsync(3, CancellationToken.None));

        Assert.Equal("the metadata of item 3 is unreadable: 'price' is 1e400, which is not a finite number", error.Message);
        Assert.Equal(1, _server.RequestsFor(3));
    }

    [Fact]
    public async Task An_item_the_service_keeps_failing_says_when_the_service_last_answered_another()
    {
        _server.FailingItems[8] = true;
        using var host = Build(new() { ["Metadata:Retries"] = "1" });
        var source = Source(host);

        var neverAnswered = await Assert.ThrowsAsync<MetadataUnavailableException>(() => source.GetAsync(8, CancellationToken.None));
        var before = DateTimeOffset.UtcNow;
        await source.GetAsync(1, CancellationToken.None);
        var failing = await Assert.ThrowsAsync<MetadataUnavailableException>(() => source.GetAsync(8, CancellationToken.None));

        Assert.Null(neverAnswered.ServiceAnsweredAt);
        Assert.NotNull(failing.ServiceAnsweredAt);
        Assert.InRange(failing.ServiceAnsweredAt.Value, before, DateTimeOffset.UtcNow);
        Assert.Contains("answered 500", failing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_item_with_no_answer_lately_makes_the_service_be_asked_for_the_last_item_it_answered()
    {
        _server.FailingItems[8] = true;
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = Build(new() { ["Metadata:Retries"] = "1", ["Metadata:CacheDuration"] = "00:00:00" }, clock);
        var source = Source(host);
        await source.GetAsync(1, CancellationToken.None);
        clock.Advance(MetadataServiceHealth.ProbeInterval + TimeSpan.FromSeconds(1));

        var failing = await Assert.ThrowsAsync<MetadataUnavailableException>(() => source.GetAsync(8, CancellationToken.None));

        Assert.Equal(clock.GetUtcNow(), failing.ServiceAnsweredAt);
        Assert.Equal(2, _server.RequestsFor(1));

        // Within the interval, no second probe: the answer is fresh.
        await Assert.ThrowsAsync<MetadataUnavailableException>(() => source.GetAsync(8, CancellationToken.None));
        Assert.Equal(2, _server.RequestsFor(1));
    }

    [Fact]
    public async Task An_item_the_service_answers_500_however_often_does_not_close_the_circuit_to_the_other_items()
    {
        _server.FailingItems[8] = true;
        using var host = Build(new() { ["Metadata:Retries"] = "1", ["Metadata:CacheDuration"] = "00:00:00" });
        var source = Source(host);

        for (var call = 0; call < 30; call++)
        {
            var error = await Assert.ThrowsAsync<MetadataUnavailableException>(() => source.GetAsync(8, CancellationToken.None));
            Assert.False(error.CircuitOpen);
        }

        Assert.Equal(60, _server.RequestsFor(8));
        Assert.Equal(MetadataServer.FeaturesOf(2), await source.GetAsync(2, CancellationToken.None));
    }

    [Fact]
    public async Task Transient_failures_are_retried_within_one_call()
    {
        _server.FailNext(2);
        using var host = Build();

        var metadata = await Source(host).GetAsync(7, CancellationToken.None);

        Assert.Equal(MetadataServer.FeaturesOf(7), metadata);
        Assert.Equal(3, _server.RequestsFor(7));
    }

    [Fact]
    public async Task An_outage_opens_the_circuit_so_the_service_is_spared_further_calls()
    {
        _server.Outage = true;
        using var host = Build(new() { ["Metadata:Retries"] = "1", ["Metadata:CacheDuration"] = "00:00:00" });
        var source = Source(host);

        var errors = new List<MetadataUnavailableException>();
        for (var call = 0; call < 30; call++)
        {
            errors.Add(await Assert.ThrowsAsync<MetadataUnavailableException>(() => source.GetAsync(call, CancellationToken.None)));
        }

        // 30 calls of 2 attempts each would be 60 requests; the circuit opened after 20 failures.
        Assert.InRange(_server.TotalRequests, 20, 21);
        Assert.IsType<BrokenCircuitException>(errors[^1].InnerException);
        Assert.True(errors[^1].CircuitOpen);
    }

    [Fact]
    public async Task Concurrent_requests_for_one_item_share_one_fetch_and_later_ones_hit_the_cache()
    {
        _server.Latency = TimeSpan.FromMilliseconds(300);
        using var host = Build();
        var source = Source(host);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => source.GetAsync(5, CancellationToken.None)));
        var later = await source.GetAsync(5, CancellationToken.None);

        Assert.All(answers, answer => Assert.Equal(MetadataServer.FeaturesOf(5), answer));
        Assert.Equal(MetadataServer.FeaturesOf(5), later);
        Assert.Equal(1, _server.RequestsFor(5));
    }

    [Fact]
    public async Task Without_a_cache_every_request_fetches()
    {
        using var host = Build(new() { ["Metadata:CacheDuration"] = "00:00:00" });
        var source = Source(host);

        await source.GetAsync(9, CancellationToken.None);
        await source.GetAsync(9, CancellationToken.None);

        Assert.Equal(2, _server.RequestsFor(9));
    }

    private static IMetadataSource Source(IHost host) => host.Services.GetRequiredService<IMetadataSource>();

    /// <summary>
    /// The source as the worker builds it; with <paramref name="healthClock"/>, the service's health reads that clock
    /// (the retries keep the real one).
    /// </summary>
    private IHost Build(Dictionary<string, string?>? settings = null, TimeProvider? healthClock = null)
    {
        var builder = Host.CreateApplicationBuilder();

        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Metadata:Source"] = "Http",
            ["Metadata:BaseUrl"] = _server.BaseUrl.ToString(),

            // The retries' number and outcome are under test, not the default back-off's seconds.
            ["Metadata:RetryDelay"] = "00:00:00.01",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.AddMetadata();
        if (healthClock is not null)
        {
            builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<MetadataServiceHealth>(services, healthClock));
        }

        return builder.Build();
    }
}
