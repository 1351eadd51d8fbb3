using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Predictions.ServiceDefaults.Resilience;

public static class RetryPolicyExtensions
{
    /// <summary>
    /// Binds the policy <paramref name="name"/> from <c>Retries:{name}:Intervals</c>, its defaults where that is not
    /// set, validated at start-up.
    /// </summary>
    public static OptionsBuilder<RetryPolicy> AddRetryPolicy(this IServiceCollection services, string name)
    {
        var rule = RetryPolicies.Rule(name);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetryPolicy>, RetryPolicyValidator>());

        // Not BindConfiguration: the binder appends a configured array to the default one instead of replacing it.
        return services.AddOptions<RetryPolicy>(name)
            .Configure<IServiceProvider>((policy, provider) =>
                policy.Intervals = provider.GetService<IConfiguration>()?.GetSection(rule.Setting) is { } setting
                    && setting.Exists()
                    ? Read(setting, rule)
                    : [.. rule.Defaults])
            .ValidateOnStart();
    }

    // A list in appsettings.json, or one value with the pauses separated by commas, which replaces that list
    // whole: an environment variable can change the pauses appsettings.json lists, not remove them.
    private static TimeSpan[] Read(IConfigurationSection setting, RetryPolicyRule rule)
    {
        if (string.IsNullOrWhiteSpace(setting.Value))
        {
            return setting.Get<TimeSpan[]>() ?? [];
        }

        return [.. setting.Value.Split(',', StringSplitOptions.TrimEntries).Select(pause => Parse(pause, rule))];
    }

    private static TimeSpan Parse(string pause, RetryPolicyRule rule)
    {
        return TimeSpan.TryParse(pause, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw new OptionsValidationException(
                rule.Name,
                typeof(RetryPolicy),
                [$"{rule.Setting} must be time spans separated by commas, such as 00:00:00.1,00:00:02; '{pause}' is not one."]);
    }

    /// <summary>The policy <paramref name="name"/>, which the host must have added (<see cref="AddRetryPolicy"/>).</summary>
    public static RetryPolicy GetRetryPolicy(this IServiceProvider services, string name) =>
        services.GetRequiredService<IOptionsMonitor<RetryPolicy>>().GetRetryPolicy(name);

    /// <inheritdoc cref="GetRetryPolicy(IServiceProvider, string)"/>
    public static RetryPolicy GetRetryPolicy(this IOptionsMonitor<RetryPolicy> policies, string name)
    {
        var policy = policies.Get(name);

        // A policy that was added has a pause at least (validated); none means nobody added it, and no retry is no default.
        return policy.Intervals.Length > 0
            ? policy
            : throw new InvalidOperationException($"The retry policy {RetryPolicies.Section}:{name} was not added to this host.");
    }
}
