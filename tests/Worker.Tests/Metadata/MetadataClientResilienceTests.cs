using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Predictions.Harness;
using Predictions.ServiceDefaults;
using Predictions.Worker.Metadata;

namespace Predictions.Worker.Tests.Metadata;

/// <summary>
/// The HTTP metadata source in a host with the service defaults: its client keeps the pipeline that
/// <c>Metadata:*</c> describes, alone, while other clients get the defaults' standard handler.
/// </summary>
public sealed class MetadataClientResilienceTests : IAsyncLifetime
{
    private MetadataServer _server = null!;

    public async Task InitializeAsync() => _server = await MetadataServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task An_outage_costs_the_attempts_Metadata_Retries_allows_and_no_more()
    {
        _server.Outage = true;
        using var host = Build();

        await Assert.ThrowsAsync<MetadataUnavailableException>(() =>
            host.Services.GetRequiredService<IMetadataSource>().GetAsync(11, CancellationToken.None));

        // The first attempt and Metadata:Retries (2) more; a default handler around it would repeat all three.
        Assert.Equal(3, _server.RequestsFor(11));
    }

    [Fact]
    public async Task Another_client_retries_a_transient_failure_with_the_defaults_standard_handler()
    {
        _server.FailNext(1);
        using var host = Build();
        using var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient();

        using var response = await client.GetAsync(new Uri(_server.BaseUrl, "items/12"));

        Assert.True(response.IsSuccessStatusCode, $"answered {(int)response.StatusCode}");
        Assert.Equal(2, _server.RequestsFor(12));
    }

    private IHost Build()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Metadata:Source"] = "Http",
            ["Metadata:BaseUrl"] = _server.BaseUrl.ToString(),
            ["Metadata:Retries"] = "2",
            ["Metadata:RetryDelay"] = "00:00:00.01",
            ["Metadata:CacheDuration"] = "00:00:00",
        });
        builder.AddServiceDefaults();
        builder.AddMetadata();
        return builder.Build();
    }
}
