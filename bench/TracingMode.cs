using System.Globalization;

namespace Predictions.Bench;

/// <summary>
/// Whether the processes the bench starts export traces (<c>--tracing off|on|RATIO</c>), and which share of
/// them: given to the services by the standard OpenTelemetry variables, as an operator would.
/// </summary>
public sealed record TracingMode
{
    private TracingMode(double? ratio) => Ratio = ratio;

    public static TracingMode Off { get; } = new((double?)null);

    /// <summary>The share of traces kept, 0 to 1; null when tracing is off.</summary>
    public double? Ratio { get; }

    public bool IsOn => Ratio is not null;

    /// <summary>The sampler as the services get it, e.g. <c>parentbased_traceidratio 0.1</c>; null when off.</summary>
    public string? Sampler => Ratio is { } ratio ? $"parentbased_traceidratio {ratio.ToString(CultureInfo.InvariantCulture)}" : null;

    public static TracingMode Parse(string value) => value.ToLowerInvariant() switch
    {
        "off" => Off,
        "on" => new(1.0),
        _ when double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var ratio) && ratio is >= 0 and <= 1
            => new(ratio),
        _ => throw new ArgumentException($"--tracing must be off, on or a ratio from 0 to 1 (e.g. 0.1), not '{value}'."),
    };

    /// <summary>The variables that turn the services' tracing on and send it to <paramref name="sink"/>; none when off.</summary>
    public IReadOnlyDictionary<string, string> Environment(Uri sink) => Ratio is { } ratio
        ? new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = sink.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            // Parent-based: a worker keeps exactly the traces the gateway kept, so a kept trace is whole.
            ["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio",
            ["OTEL_TRACES_SAMPLER_ARG"] = ratio.ToString(CultureInfo.InvariantCulture),
        }
        : new Dictionary<string, string>();

    public override string ToString() => Ratio switch
    {
        null => "off",
        1.0 => "on",
        var ratio => ratio.Value.ToString(CultureInfo.InvariantCulture),
    };
}
