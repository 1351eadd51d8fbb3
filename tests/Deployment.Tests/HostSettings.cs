using System.Reflection;
using System.Text.Json;

namespace Predictions.Deployment.Tests;

/// <summary>
/// Every configuration key one host reads, from its own code: the options classes (a <c>Section</c> constant
/// and their bindable properties), the stores' connection string names (<c>Database</c> constants) and the
/// broker's (<c>BrokerOptions.Setting</c>), MassTransit's host options, the keys of its appsettings.json, and a
/// short list of standard variables the runtime reads, each with its reason.
/// </summary>
public sealed class HostSettings
{
    private const string AnyIndex = "{n}";
    private const string AnySegment = "*";

    private static readonly Lazy<HostSettings> GatewaySettings = new(() => Load("Gateway",
        ("ASPNETCORE_URLS", "where Kestrel serves the API; the worker ignores it and listens only at Probes:Url")));

    private static readonly Lazy<HostSettings> WorkerSettings = new(() => Load("Worker"));

    // Read by the runtime or the OpenTelemetry SDK, not by our options.
    private static readonly (string Name, string Reason)[] Standard =
    [
        ("ASPNETCORE_ENVIRONMENT", "the host's environment name"),
        ("DOTNET_ENVIRONMENT", "the host's environment name"),
        ("OTEL_RESOURCE_ATTRIBUTES", "resource attributes the OpenTelemetry SDK adds to every metric and span (e.g. the pod)"),
        ("OTEL_SERVICE_NAME", "the service.name of the host's metrics and spans, instead of prediction-gateway or prediction-worker"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "where the OTLP exporter sends traces; set and not empty, it turns tracing on"),
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "the same for traces alone, the full URL; set and not empty, it turns tracing on"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc or http/protobuf"),
        ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "the same for traces alone"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "headers on every export, e.g. a collector's API key"),
        ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "the same for traces alone"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "how long one export may take, in ms"),
        ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "the same for traces alone"),
        ("OTEL_TRACES_SAMPLER", "which traces are kept, e.g. parentbased_traceidratio"),
        ("OTEL_TRACES_SAMPLER_ARG", "the sampler's argument, e.g. the ratio 0.1"),
        ("OTEL_BSP_SCHEDULE_DELAY", "ms between the batch exports of spans"),
        ("OTEL_BSP_EXPORT_TIMEOUT", "how long one batch export may take, in ms"),
        ("OTEL_BSP_MAX_QUEUE_SIZE", "spans held for export; beyond it new ones are dropped"),
        ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "spans sent in one export"),
        ("Logging__LogLevel__*", "log levels per category, the standard logging section"),
    ];

    private readonly List<string[]> _keys = [];

    private HostSettings(string host) => Host = host;

    public static HostSettings Gateway => GatewaySettings.Value;

    public static HostSettings Worker => WorkerSettings.Value;

    public string Host { get; }

    public int Count => _keys.Count;

    /// <summary>Whether an environment variable (<c>A__B__C</c>, keys case-insensitive) names a setting this host reads.</summary>
    public bool Reads(string variable)
    {
        var segments = variable.Split("__");
        return _keys.Any(key => key.Length == segments.Length && key.Zip(segments).All(pair => Matches(pair.First, pair.Second)));
    }

    private static bool Matches(string pattern, string segment) => pattern switch
    {
        AnyIndex => segment.Length > 0 && segment.All(char.IsAsciiDigit),
        AnySegment => segment.Length > 0,
        _ => string.Equals(pattern, segment, StringComparison.OrdinalIgnoreCase),
    };

    private static HostSettings Load(string project, params (string Name, string Reason)[] hostStandard)
    {
        var host = HostAssemblies.Of(project);
        var settings = new HostSettings(project);
        foreach (var type in host.Own().SelectMany(Loadable))
        {
            if (Constant(type, "Section") is { } section)
            {
                settings.AddProperties(section, type, depth: 0);
            }

            // A store's connection string name, and the broker's full setting name.
            if (Constant(type, "Database") is { } database)
            {
                settings.Add($"ConnectionStrings:{database}");
            }

            if (Constant(type, "Setting") is { } setting && setting.StartsWith("ConnectionStrings:", StringComparison.Ordinal))
            {
                settings.Add(setting);
            }
        }

        // MessagingExtensions binds the section "MassTransit" to MassTransit's own options type.
        settings.AddProperties(
            "MassTransit",
            host.LoadFromAssemblyName(new AssemblyName("MassTransit.Abstractions"))
                .GetType("MassTransit.MassTransitHostOptions", throwOnError: true)!,
            depth: 0);

        using (var appSettings = JsonDocument.Parse(
            File.ReadAllText(Path.Combine(host.Folder, "appsettings.json")),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }))
        {
            settings.AddJson(null, appSettings.RootElement);
        }

        foreach (var (name, _) in Standard.Concat(hostStandard))
        {
            settings.Add(name.Replace("__", ":", StringComparison.Ordinal));
        }

        return settings;
    }

    private static IEnumerable<Type> Loadable(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException partial)
        {
            return partial.Types.OfType<Type>();
        }
    }

    private static string? Constant(Type type, string name) =>
        type.GetField(name, BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field ? field.GetRawConstantValue() as string : null;

    private void Add(string key) => _keys.Add(key.Split(':'));

    private void AddProperties(string prefix, Type type, int depth)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            // The binder sets writable properties and fills collections it can get; others are computed.
            if (property.GetIndexParameters().Length == 0 && (property.CanWrite || Element(property.PropertyType) is not null))
            {
                AddValue($"{prefix}:{property.Name}", property.PropertyType, depth);
            }
        }
    }

    private void AddValue(string key, Type type, int depth)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(type))
        {
            Add(key);
        }
        else if (DictionaryValue(type) is { } value)
        {
            AddValue($"{key}:{AnySegment}", value, depth + 1);
        }
        else if (Element(type) is { } element)
        {
            AddValue($"{key}:{AnyIndex}", element, depth + 1);
        }
        else if (depth < 4)
        {
            AddProperties(key, type, depth + 1);
        }
    }

    private void AddJson(string? prefix, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            Add(prefix!);
            return;
        }

        foreach (var property in element.EnumerateObject())
        {
            AddJson(prefix is null ? property.Name : $"{prefix}:{property.Name}", property.Value);
        }
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(Uri);

    private static Type? Element(Type type) =>
        type.IsArray ? type.GetElementType()
        : type == typeof(string) ? null
        : type.GetInterfaces().Append(type)
            .FirstOrDefault(candidate => candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            ?.GetGenericArguments()[0];

    private static Type? DictionaryValue(Type type) =>
        type.GetInterfaces().Append(type)
            .FirstOrDefault(candidate => candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IDictionary<,>))
            ?.GetGenericArguments()[1];
}
