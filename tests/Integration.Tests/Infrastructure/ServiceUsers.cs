using System.Security.Cryptography;
using Predictions.Harness;

namespace Predictions.Integration.Tests.Infrastructure;

/// <summary>
/// The gateway's and the worker's own broker users in a test's virtual host, made by
/// <c>deploy/rabbitmq/provision-users.sh</c> exactly as docker-compose makes them. Users belong to the whole
/// broker, so each test gets its own names, and they are deleted afterwards.
/// </summary>
public sealed class ServiceUsers : IAsyncDisposable
{
    private static readonly string Script = Path.Combine(Repository.Root, "deploy", "rabbitmq", "provision-users.sh");
    private readonly BrokerVirtualHost _broker;

    private ServiceUsers(BrokerVirtualHost broker, string suffix)
    {
        _broker = broker;
        Gateway = new Credentials($"gateway-{suffix}", RandomNumberGenerator.GetHexString(32, lowercase: true));
        Worker = new Credentials($"worker-{suffix}", RandomNumberGenerator.GetHexString(32, lowercase: true));
    }

    public Credentials Gateway { get; }

    public Credentials Worker { get; }

    /// <summary>Runs the provisioning script, twice: a second run must change nothing and fail nothing.</summary>
    public static async Task<ServiceUsers> ProvisionAsync(BrokerVirtualHost broker)
    {
        var users = new ServiceUsers(broker, Guid.NewGuid().ToString("N")[..8]);
        for (var run = 1; run <= 2; run++)
        {
            var (exitCode, output) = await users.RunScriptAsync();
            Assert.True(exitCode == 0, $"provision-users.sh (run {run}) exited with {exitCode}:\n{output}");
        }

        return users;
    }

    /// <summary>amqp://user:password@host:port/vhost for one of the users, as the service's <c>ConnectionStrings:RabbitMq</c>.</summary>
    public Uri AmqpUri(Credentials user) =>
        new UriBuilder(_broker.AmqpUri) { UserName = Uri.EscapeDataString(user.Name), Password = Uri.EscapeDataString(user.Password) }.Uri;

    public async ValueTask DisposeAsync()
    {
        await _broker.Owner.DeleteUserAsync(Gateway.Name);
        await _broker.Owner.DeleteUserAsync(Worker.Name);
    }

    private Task<(int ExitCode, string Output)> RunScriptAsync() =>
        Command.RunAsync("/bin/sh", [Script], new Dictionary<string, string>
        {
            ["RABBITMQ_MANAGEMENT_URL"] = _broker.Owner.ManagementUri.ToString(),
            ["RABBITMQ_ADMIN_USER"] = _broker.Owner.User,
            ["RABBITMQ_ADMIN_PASSWORD"] = _broker.Owner.Password,
            ["RABBITMQ_VHOST"] = _broker.Name,
            ["RABBITMQ_GATEWAY_USER"] = Gateway.Name,
            ["RABBITMQ_GATEWAY_PASSWORD"] = Gateway.Password,
            ["RABBITMQ_WORKER_USER"] = Worker.Name,
            ["RABBITMQ_WORKER_PASSWORD"] = Worker.Password,

            // The test broker is shared and its harness signs in as guest: leave that user alone here.
            ["RABBITMQ_REMOVE_GUEST"] = "no",
        }, TimeSpan.FromSeconds(90));

    public sealed record Credentials(string Name, string Password);
}
