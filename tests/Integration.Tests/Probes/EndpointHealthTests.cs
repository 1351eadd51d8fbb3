using System.Net;
using Predictions.Integration.Tests.Infrastructure;

namespace Predictions.Integration.Tests.Probes;

/// <summary>
/// Health that tells the truth about consuming: not ready while a receive endpoint is down, not live once one
/// has been down for longer than <c>Health:MaxEndpointDowntime</c>, and both again once it consumes.
/// </summary>
[Collection(FaultBrokerCollection.Name)]
[Trait("Category", "Fault")]
public sealed class EndpointHealthTests(BrokerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly IReadOnlyDictionary<string, string> ShortDowntime = new Dictionary<string, string>
    {
        ["Health:MaxEndpointDowntime"] = "00:00:03",
    };

    [Fact]
    public async Task Both_hosts_are_not_ready_during_a_broker_outage_not_live_once_it_lasts_and_both_again_after()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(ShortDowntime);
        await system.StartGatewayAsync(ShortDowntime);
        using var worker = new HttpClient { BaseAddress = system.WorkerProbes };
        var probes = new (string Name, HttpClient Client)[] { ("worker", worker), ("gateway", system.Http) };
        await ProbesAnswerAsync(probes, "/health/ready", HttpStatusCode.OK);
        await ProbesAnswerAsync(probes, "/health/live", HttpStatusCode.OK);

        await fixture.Broker.Control.StopAppAsync();
        try
        {
            await ProbesAnswerAsync(probes, "/health/ready", HttpStatusCode.ServiceUnavailable);

            // Down for longer than Health:MaxEndpointDowntime: an orchestrator would now restart them.
            await ProbesAnswerAsync(probes, "/health/live", HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            await fixture.Broker.Control.StartAppAsync();
        }

        await ProbesAnswerAsync(probes, "/health/ready", HttpStatusCode.OK);
        await ProbesAnswerAsync(probes, "/health/live", HttpStatusCode.OK);
        await system.SubmitAsync(1, 2);
    }

    private static async Task ProbesAnswerAsync((string Name, HttpClient Client)[] probes, string path, HttpStatusCode expected)
    {
        foreach (var (name, client) in probes)
        {
            var last = "";
            await Eventually.HoldsAsync(
                async () =>
                {
                    using var response = await client.GetAsync(path);
                    last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                    return response.StatusCode == expected;
                },
                Timeout,
                () => $"the {name}'s {path} did not answer {(int)expected}; it answered {last}");
        }
    }
}
