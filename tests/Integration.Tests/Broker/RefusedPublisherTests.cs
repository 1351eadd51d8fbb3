using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;

namespace Predictions.Integration.Tests.Broker;

/// <summary>
/// A gateway the broker will not let publish (its user lost a permission) is not ready and says why, answers each
/// submission at once with a 503 of its own, and turns ready again by itself once the permission is back.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class RefusedPublisherTests(BrokerFixture fixture)
{
    private const string PublisherRefused = "tag:predictions.gateway,2026:publisher-refused";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task
        A_gateway_whose_user_lost_write_permission_on_its_exchange_is_not_ready_answers_503_at_once_and_is_ready_again_once_it_is_back()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await using var users = await ServiceUsers.ProvisionAsync(system.Broker);
        await system.StartWorkerAsync(
            new Dictionary<string, string>(Settings.QuickModel) { ["ConnectionStrings:RabbitMq"] = users.AmqpUri(users.Worker).ToString() });
        var gateway = await system.StartGatewayAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings:RabbitMq"] = users.AmqpUri(users.Gateway).ToString(),
            ["Gateway:PublishTimeout"] = PublishTimeout.ToString(),
        });
        await system.SubmitAsync(1, 1);
        var published = await system.Broker.BindQueueAsync(Topology.Submissions);

        var broker = system.Broker.Owner;
        var granted = await broker.GetPermissionsAsync(system.Broker.Name, users.Gateway.Name);
        Assert.Contains("submissions|", granted.Write, StringComparison.Ordinal);
        await broker.SetPermissionsAsync(
            system.Broker.Name,
            users.Gateway.Name,
            granted with { Write = granted.Write.Replace("submissions|", "", StringComparison.Ordinal) });

        // RabbitMQ 3.10 keeps on a channel the permissions it checked there: the gateway meets the change on a new
        // channel, as after a broker restart or a network failure, which closing its publishing connection stands for.
        await Eventually.HoldsAsync(
            async () => await broker.CloseConnectionsAsync(users.Gateway.Name, ": plain") > 0,
            Timeout,
            () => "the gateway's plain connection was never listed");

        var readiness = "";
        await Eventually.HoldsAsync(
            async () =>
            {
                using var response = await system.Http.GetAsync("/health/ready");
                readiness = await response.Content.ReadAsStringAsync();
                return response.StatusCode == HttpStatusCode.ServiceUnavailable && readiness.Contains("ACCESS_REFUSED", StringComparison.Ordinal);
            },
            Timeout,
            () => $"the gateway stayed ready, or did not say why: {readiness}\n{system.Describe()}");
        Assert.Contains(
            $"access to exchange '{Topology.Submissions}' in vhost '{system.Broker.Name}' refused for user '{users.Gateway.Name}'",
            readiness,
            StringComparison.Ordinal);

        for (var i = 0; i < 3; i++)
        {
            var answered = Stopwatch.StartNew();
            using var response = await system.Http.PostAsync(
                "/predictions", new StringContent("""{"itemId": 2, "featureValue": 2}""", Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode} {text}");
            Assert.True(
                answered.Elapsed < PublishTimeout / 5,
                $"answered after {answered.Elapsed.TotalSeconds:0.0} s, with a publish timeout of {PublishTimeout.TotalSeconds} s");
            var problem = JsonDocument.Parse(text).RootElement;
            Assert.Equal(PublisherRefused, problem.GetProperty("type").GetString());
            Assert.Contains("ACCESS_REFUSED", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.NotNull(response.Headers.RetryAfter);
        }

        // The broker's reply is a warning, once, not a line per request or probe.
        Assert.Single(
            gateway.Output.Split('\n'),
            line => line.StartsWith("warn:", StringComparison.Ordinal) && line.Contains("ACCESS_REFUSED", StringComparison.Ordinal));

        await broker.SetPermissionsAsync(system.Broker.Name, users.Gateway.Name, granted);

        // Ready again with no request to try it, and accepting.
        await Eventually.HoldsAsync(
            async () => (await system.Http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK,
            Timeout,
            () => $"the gateway did not turn ready again.\n{system.Describe()}");
        var id = (await system.SubmitAsync(3, 3)).GetProperty("id").GetString()!;
        Assert.Equal("completed", (await system.WaitForOutcomeAsync(id, Timeout)).GetProperty("status").GetString());

        // Of all the submissions since the permission was taken away, the broker took only the one accepted after.
        var taken = await system.Broker.GetAsync(published);
        Assert.Equal(id, taken?.BasicProperties.MessageId);
        Assert.Null(await system.Broker.GetAsync(published));
    }
}
