using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Predictions.ServiceDefaults.Resilience;

namespace Predictions.Messaging.Tests.Resilience;

public sealed class RetryPolicyTests
{
    private const string Setting = "Retries:Requests:Intervals";
    private const string Bounds = "00:00:00.0010000 and 00:01:00";
    private const string Example = "such as 00:00:00.1,00:00:02";
    private const string Eleven = "00:00:01,00:00:01,00:00:01,00:00:01,00:00:01,00:00:01,00:00:01,00:00:01,00:00:01,00:00:01,00:00:01";

    private static TimeSpan Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    [Fact]
    public void The_defaults_are_the_pauses_each_place_made_before_it_had_a_setting()
    {
        Assert.Equal([Ms(100), Ms(500), Ms(2_000), Ms(5_000)], RetryPolicies.Rule(RetryPolicies.StoreWrites).Defaults);
        Assert.Equal([Ms(200), Ms(1_000), Ms(5_000)], RetryPolicies.Rule(RetryPolicies.Requests).Defaults);
        Assert.Equal([Ms(100), Ms(500), Ms(2_000)], RetryPolicies.Rule(RetryPolicies.QueuedRecords).Defaults);
        Assert.Equal([Ms(100), Ms(500)], RetryPolicies.Rule(RetryPolicies.SubmissionWrites).Defaults);
        Assert.Equal([Ms(200)], RetryPolicies.Rule(RetryPolicies.PublisherChannel).Defaults);
        Assert.Equal(7, RetryPolicies.Names.Count);
    }

    [Theory]
    [InlineData(RetryPolicies.OutageWaits, 10_000)]
    [InlineData(RetryPolicies.OutcomeListening, 5_000)]
    public void The_repeating_defaults_double_from_100_ms_up_to_their_longest_pause_as_before(string name, int longestMs)
    {
        var policy = Bind(name);

        for (var retry = 0; retry < 40; retry++)
        {
            var doubled = TimeSpan.FromTicks(Math.Min(Ms(longestMs).Ticks, Ms(100).Ticks << Math.Min(retry, 20)));
            Assert.Equal(doubled, policy.Pause(retry));
        }
    }

    [Fact]
    public void A_configured_list_replaces_the_default_one_rather_than_adding_to_it()
    {
        var policy = Bind(RetryPolicies.StoreWrites, new() { ["Retries:StoreWrites:Intervals:0"] = "00:00:03" });

        Assert.Equal([TimeSpan.FromSeconds(3)], policy.Intervals);
    }

    [Fact]
    public void One_value_of_pauses_separated_by_commas_replaces_the_list_appsettings_json_gives()
    {
        var policy = Bind(RetryPolicies.StoreWrites, new()
        {
            ["Retries:StoreWrites:Intervals:0"] = "00:00:01",
            ["Retries:StoreWrites:Intervals:1"] = "00:00:02",
            ["Retries:StoreWrites:Intervals:2"] = "00:00:03",
            ["Retries:StoreWrites:Intervals"] = "00:00:00.25, 00:00:04",
        });

        Assert.Equal([Ms(250), TimeSpan.FromSeconds(4)], policy.Intervals);
    }

    [Theory]
    [InlineData("Retries:Requests:Intervals", "", $"{Setting} must list between 1 and 10 pauses; it lists 0.")]
    [InlineData("Retries:Requests:Intervals", Eleven, $"{Setting} must list between 1 and 10 pauses; it lists 11.")]
    [InlineData("Retries:Requests:Intervals:1", "00:00:00", $"{Setting}:1 must be a time span between {Bounds}; it is 00:00:00.")]
    [InlineData("Retries:Requests:Intervals:0", "-00:00:01", $"{Setting}:0 must be a time span between {Bounds}; it is -00:00:01.")]
    [InlineData("Retries:Requests:Intervals:2", "00:02:00", $"{Setting}:2 must be a time span between {Bounds}; it is 00:02:00.")]
    [InlineData("Retries:Requests:Intervals", "00:00:01,soon", $"{Setting} must be time spans separated by commas, {Example}; 'soon' is not one.")]
    public async Task A_bad_policy_stops_the_start_naming_its_setting(string setting, string value, string expected)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());

        // One pause changed in a list of three valid ones, or the whole setting as one value.
        var settings = setting.EndsWith(nameof(RetryPolicy.Intervals), StringComparison.Ordinal)
            ? new Dictionary<string, string?>()
            : new Dictionary<string, string?>
            {
                ["Retries:Requests:Intervals:0"] = "00:00:01",
                ["Retries:Requests:Intervals:1"] = "00:00:01",
                ["Retries:Requests:Intervals:2"] = "00:00:01",
            };
        settings[setting] = value;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddRetryPolicy(RetryPolicies.Requests);
        using var host = builder.Build();

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, refused.Failures);
    }

    [Fact]
    public void A_policy_the_host_did_not_add_is_an_error_not_no_retries()
    {
        var services = new ServiceCollection().AddOptions().BuildServiceProvider();

        var missing = Assert.Throws<InvalidOperationException>(() => services.GetRetryPolicy(RetryPolicies.StoreWrites));

        Assert.Contains("Retries:StoreWrites", missing.Message, StringComparison.Ordinal);
    }

    private static RetryPolicy Bind(string name, Dictionary<string, string?>? settings = null)
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build());
        services.AddRetryPolicy(name);
        return services.BuildServiceProvider().GetRetryPolicy(name);
    }
}
