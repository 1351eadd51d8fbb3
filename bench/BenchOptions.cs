using System.Globalization;
using Predictions.Harness;
using Predictions.Messaging.Broker;

namespace Predictions.Bench;

/// <summary>The command line: what to run, through which door, how hard, and where the system is.</summary>
public sealed record BenchOptions
{
    public Workload Workload { get; init; } = Workload.Seed;

    public Door Door { get; init; } = Door.Http;

    /// <summary>How each HTTP client learns its outcome: long polls, or plain GETs every <see cref="PollInterval"/>.</summary>
    public Client Client { get; init; } = Client.LongPoll;

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The interval the http door polls at; null for long polls.</summary>
    public TimeSpan? PollEvery => Client == Client.Poll ? PollInterval : null;

    public int? Requests { get; init; }

    /// <summary>Predictions sent before the measured run, unmeasured; null: a tenth of the run's (at least one per client).</summary>
    public int? WarmUp { get; init; }

    public int? Concurrency { get; init; }

    public string? JsonFile { get; init; }

    /// <summary>Worker processes to start, on one broker and one audit store, each with its own journal and probes.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Gateway processes to start, on one results store; HTTP clients are spread over them round-robin.</summary>
    public int Gateways { get; init; } = 1;

    /// <summary>Configuration for the processes the bench starts (<c>--set Key=Value</c>).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>A running gateway to drive instead of starting one.</summary>
    public Uri? Gateway { get; init; }

    /// <summary>
    /// A running broker (amqp://user:password@host:port/vhost, or host1:port,host2:port,… for a cluster) instead of finding or starting one.
    /// </summary>
    public BrokerAddress? Amqp { get; init; }

    /// <summary>A running worker's probes address, to read its per-stage metrics.</summary>
    public Uri? WorkerProbes { get; init; }

    /// <summary>The RabbitMQ series of the broker the bench finds or starts (4.x unless asked).</summary>
    public RabbitMqSeries RabbitMq { get; init; } = RabbitMqSeries.Four;

    /// <summary>Whether the processes the bench starts export traces, to a sink in the bench, and which share.</summary>
    public TracingMode Tracing { get; init; } = TracingMode.Off;

    public const string Usage = """
        Usage: dotnet run -c Release --project bench -- [options]

          --workload seed|cpu|onnx|overhead|backlog|isolation|rollout
                                                 what the model and metadata cost (default seed)
          --door http|amqp                       submit through the gateway or publish to RabbitMQ (default http)
          --client longpoll|poll                 http clients wait for the outcome with ?wait= (longpoll), or submit
                                                 without it and GET the Location every interval (poll) (default longpoll)
          --poll-interval MS                     the poll client's interval in milliseconds (default 50)
          --requests N                           predictions to run (default depends on the workload)
          --warmup N                             predictions sent first, unmeasured, by seed, cpu and overhead
                                                 (default a tenth of --requests, at least --concurrency)
          --concurrency N                        clients in flight (default depends on the workload)
          --workers N                            worker processes to start (default 1)
          --gateways N                           gateway processes to start, clients spread round-robin (default 1)
          --set Key=Value                        configuration for the processes the bench starts (repeatable)
          --tracing off|on|RATIO                 the processes it starts export traces over OTLP to a sink in the bench:
                                                 every trace (on) or a share of them, e.g. 0.1 (default off)
          --rabbitmq 4|3                         the RabbitMQ series to find or start a broker of (default 4)
          --json FILE                            also write the report as JSON
          --gateway URL --amqp URL --worker-probes URL
                                                 drive a system that is already running instead of starting one

        Workloads: seed = 0.5 s awaited metadata + 1 s sleeping inference (the lesson's numbers);
        cpu = 50 ms metadata + ~20 ms of real computation; onnx = 10 ms metadata + the item-scorer network
        (models/item-scorer/1/model.onnx) in batches of up to 32 (--set Inference:MaxBatchSize=1 to compare); overhead = no cost at all;
        backlog = queue every request at once behind a slow model and measure memory while they wait;
        isolation = two catalog models, fast (~1 ms) and slow (200 ms): the fast model's latency alone, then beside a
        backed-up slow lane (http door; --requests and --concurrency are the fast load of each phase);
        rollout = the fast model's latency before, while and after the admin API loads the item scorer on the worker
        (http door; --requests and --concurrency are the fast load of the phases before and after).
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        var settings = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.\n\n{Usage}");
            options = args[i] switch
            {
                "--workload" => options with { Workload = Enum.Parse<Workload>(value, ignoreCase: true) },
                "--door" => options with { Door = Enum.Parse<Door>(value, ignoreCase: true) },
                "--client" => options with
                {
                    Client = value switch
                    {
                        "longpoll" => Client.LongPoll,
                        "poll" => Client.Poll,
                        _ => throw new ArgumentException($"--client must be longpoll or poll, not '{value}'."),
                    },
                },
                "--poll-interval" => options with { PollInterval = TimeSpan.FromMilliseconds(Positive(args[i], value)) },
                "--requests" => options with { Requests = Positive(args[i], value) },
                "--warmup" => options with { WarmUp = Positive(args[i], value) },
                "--concurrency" => options with { Concurrency = Positive(args[i], value) },
                "--workers" => options with { Workers = Positive(args[i], value) },
                "--gateways" => options with { Gateways = Positive(args[i], value) },
                "--json" => options with { JsonFile = value },
                "--gateway" => options with { Gateway = new Uri(value) },
                "--amqp" => options with { Amqp = BrokerConnections.Parse(value, "--amqp") },
                "--worker-probes" => options with { WorkerProbes = new Uri(value) },
                "--tracing" => options with { Tracing = TracingMode.Parse(value) },
                "--rabbitmq" => options with
                {
                    RabbitMq = value switch
                    {
                        "4" => RabbitMqSeries.Four,
                        "3" => RabbitMqSeries.Three,
                        _ => throw new ArgumentException($"--rabbitmq must be 4 or 3, not '{value}'."),
                    },
                },
                "--set" when value.Split('=', 2) is [var key, var setting] => Add(options, settings, key, setting),
                _ => throw new ArgumentException($"Unknown option {args[i]} {value}.\n\n{Usage}"),
            };
            i++;
        }

        if ((options.Workers > 1 || options.Gateways > 1) && (options.Gateway is not null || options.Amqp is not null))
        {
            throw new ArgumentException("--workers and --gateways start processes: they do not apply to a running system (--gateway, --amqp).");
        }

        if (options.Tracing.IsOn && (options.Gateway is not null || options.Amqp is not null))
        {
            throw new ArgumentException("--tracing configures the processes the bench starts: a running system (--gateway, --amqp) keeps its own.");
        }

        if (options.Client == Client.Poll && options.Door != Door.Http)
        {
            throw new ArgumentException("--client poll polls the gateway: it runs through the http door only.");
        }

        if (options.Client == Client.Poll && options.Workload is Workload.Backlog or Workload.Isolation or Workload.Rollout)
        {
            throw new ArgumentException($"--client poll does not apply to --workload {options.Workload.ToString().ToLowerInvariant()}: "
                + "backlog only submits, and isolation and rollout compare long-polled latencies.");
        }

        if ((options.Workload is Workload.Isolation or Workload.Rollout) && options.Door != Door.Http)
        {
            throw new ArgumentException($"--workload {options.Workload.ToString().ToLowerInvariant()} runs through the http door: "
                + "the bench names a model in the http door only.");
        }

        if (options.Workload == Workload.Rollout && (options.Gateway is not null || options.Amqp is not null))
        {
            throw new ArgumentException(
                "--workload rollout starts its own system: it needs the admin key and the catalog folder it gives the gateway.");
        }

        return options with { Settings = settings };
    }

    private static BenchOptions Add(BenchOptions options, Dictionary<string, string> settings, string key, string value)
    {
        settings[key] = value;
        return options;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer, not '{value}'.");
}

public enum Workload
{
    Seed,
    Cpu,
    Onnx,
    Overhead,
    Backlog,
    Isolation,
    Rollout,
}

public enum Door
{
    Http,
    Amqp,
}

public enum Client
{
    LongPoll,
    Poll,
}
