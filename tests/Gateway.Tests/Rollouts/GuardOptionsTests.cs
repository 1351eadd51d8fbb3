using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Predictions.Gateway.Rollouts;

namespace Predictions.Gateway.Tests.Rollouts;

public sealed class GuardOptionsTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        var options = Resolve(_ => { });

        Assert.Equal(TimeSpan.FromMinutes(1), options.Window);
        Assert.Equal(20, options.MinOutcomes);
        Assert.Equal(0.2, options.MaxErrorRate);
        Assert.Null(options.MaxP95Milliseconds);
    }

    [Theory]
    [InlineData("Rollouts:Guard:Window")]
    [InlineData("Rollouts:Guard:MinOutcomes")]
    [InlineData("Rollouts:Guard:MaxErrorRate")]
    [InlineData("Rollouts:Guard:MaxP95Milliseconds")]
    public void A_setting_out_of_range_is_refused_by_name(string setting)
    {
        Action<GuardOptions> breakIt = setting switch
        {
            "Rollouts:Guard:Window" => options => options.Window = TimeSpan.FromMilliseconds(500),
            "Rollouts:Guard:MinOutcomes" => options => options.MinOutcomes = 0,
            "Rollouts:Guard:MaxErrorRate" => options => options.MaxErrorRate = 0,
            _ => options => options.MaxP95Milliseconds = -1,
        };

        var failure = Assert.Throws<OptionsValidationException>(() => Resolve(breakIt));

        Assert.Contains(setting, Assert.Single(failure.Failures), StringComparison.Ordinal);
    }

    private static GuardOptions Resolve(Action<GuardOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddOptions<GuardOptions>().Configure(configure).ValidateDataAnnotations();
        return services.BuildServiceProvider().GetRequiredService<IOptions<GuardOptions>>().Value;
    }
}
