namespace Predictions.Harness;

/// <summary>
/// A RabbitMQ release series the suite runs on, and where each source of a broker finds one: an address in the
/// environment, a Docker image, or the local installation its private nodes are started from.
/// </summary>
public sealed class RabbitMqSeries
{
    /// <summary>The series users deploy: every integration test runs on it, with the deprecated features denied.</summary>
    public static readonly RabbitMqSeries Four = new(
        "4.x", "RABBITMQ_URL", "rabbitmq:4.0.5-management", RabbitMqInstallation.Debian13, RabbitMqInstallation.DenyDeprecatedFeatures);

    /// <summary>The 3.x series, for the tests that prove behaviour a version changes (how deliveries are counted).</summary>
    public static readonly RabbitMqSeries Three = new("3.x", "RABBITMQ3_URL", "rabbitmq:3.13.7-management", RabbitMqInstallation.Debian12, "");

    private RabbitMqSeries(string name, string urlVariable, string image, RabbitMqInstallation installation, string configuration)
    {
        Name = name;
        UrlVariable = urlVariable;
        Image = image;
        Installation = installation;
        // Statistics every second, not five: queue depths (QueueDepth) lag the broker by no more.
        Configuration = $"collect_statistics_interval = 1000\n{configuration}";
    }

    public string Name { get; }

    /// <summary>The environment variable holding the address of a broker of this series run elsewhere.</summary>
    public string UrlVariable { get; }

    /// <summary>The image Testcontainers runs where a Docker engine answers; docker-compose.yml pins the 4.x one.</summary>
    public string Image { get; }

    public RabbitMqInstallation Installation { get; }

    /// <summary>rabbitmq.conf lines every node of this series gets, local or in a container.</summary>
    public string Configuration { get; }

    public override string ToString() => $"RabbitMQ {Name}";
}
