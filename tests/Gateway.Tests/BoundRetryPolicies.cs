using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Predictions.ServiceDefaults.Resilience;

namespace Predictions.Gateway.Tests;

/// <summary>Retry policies bound as a host binds them, from the given settings (defaults where none is given).</summary>
internal static class BoundRetryPolicies
{
    public static IOptionsMonitor<RetryPolicy> Of(string name, IDictionary<string, string?>? settings = null)
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build());
        services.AddRetryPolicy(name);
        return services.BuildServiceProvider().GetRequiredService<IOptionsMonitor<RetryPolicy>>();
    }
}
