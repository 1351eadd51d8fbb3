namespace Predictions.Worker.Models;

/// <summary>
/// The simulated model's settings sat under <c>Inference:</c> before they moved to <c>Model:</c>. The old keys
/// still work, as other names of the new ones: where both are set, the later configuration source wins as
/// always (an environment variable over <c>appsettings.json</c>). <see cref="LegacyModelSettingsWarning"/>
/// names each one set at start-up.
/// </summary>
public static class LegacyModelSettings
{
    private const string OldSection = "Inference";

    /// <summary>The settings that moved, by their property names, the same in both sections.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        nameof(ModelOptions.SimulatedCost),
        nameof(ModelOptions.SimulatedCostKind),
        nameof(ModelOptions.SimulatedCpuIterations),
        nameof(ModelOptions.SimulatedCrashFeatureValue),
        nameof(ModelOptions.AllowFaultInjection),
    ];

    public static string OldKey(string name) => $"{OldSection}:{name}";

    public static string NewKey(string name) => $"{ModelOptions.Section}:{name}";

    /// <summary>The names whose old key is set.</summary>
    public static IEnumerable<string> SetByOldKey(IConfiguration configuration) =>
        Names.Where(name => configuration[OldKey(name)] is not null);

    /// <summary>
    /// Binds, over what <c>Model:</c> gave, the old keys that take effect. A value that cannot be read fails
    /// naming the old key, the one that was set.
    /// </summary>
    public static void Bind(IConfiguration configuration, ModelOptions options)
    {
        var effective = SetByOldKey(configuration)
            .Where(name => OldKeyWins(configuration, name))
            .Select(name => KeyValuePair.Create(OldKey(name), configuration[OldKey(name)]));
        new ConfigurationBuilder().AddInMemoryCollection(effective).Build().GetSection(OldSection).Bind(options);
    }

    /// <summary>Whether the old key comes from a later source than the new one, or the new one is not set.</summary>
    private static bool OldKeyWins(IConfiguration configuration, string name)
    {
        if (configuration is not IConfigurationRoot root)
        {
            return configuration[NewKey(name)] is null;
        }

        foreach (var source in root.Providers.Reverse())
        {
            if (source.TryGet(OldKey(name), out _))
            {
                return true;
            }

            if (source.TryGet(NewKey(name), out _))
            {
                return false;
            }
        }

        return false;
    }
}
