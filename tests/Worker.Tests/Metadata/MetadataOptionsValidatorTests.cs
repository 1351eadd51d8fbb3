using Microsoft.Extensions.Options;
using Predictions.Messaging.Outages;
using Predictions.Worker.Metadata;
using Predictions.Worker.Models;

namespace Predictions.Worker.Tests.Metadata;

public sealed class MetadataOptionsValidatorTests
{
    [Fact]
    public void A_fault_item_without_fault_injection_allowed_is_refused_naming_both_settings()
    {
        var result = Validate(new MetadataOptions { SimulatedFaultItemId = 13 }, new ModelOptions());

        Assert.True(result.Failed);
        Assert.Contains("Metadata:SimulatedFaultItemId is 13", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Model:AllowFaultInjection=true", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(Validate(new MetadataOptions { SimulatedFaultItemId = 13 }, new ModelOptions { AllowFaultInjection = true }).Succeeded);
    }

    [Fact]
    public void An_item_budget_no_shorter_than_the_longest_wait_is_refused_for_the_http_source_naming_both_settings()
    {
        var http = new MetadataOptions
        {
            Source = MetadataSourceKind.Http,
            BaseUrl = new Uri("http://metadata/"),
            ItemFailureBudget = TimeSpan.FromMinutes(1),
        };

        var result = Validate(http, new ModelOptions(), maxWait: TimeSpan.FromSeconds(30));

        Assert.True(result.Failed);
        Assert.Contains(
            "Metadata:ItemFailureBudget (00:01:00) must be shorter than Outages:MaxWait (00:00:30)",
            result.FailureMessage,
            StringComparison.Ordinal);
        Assert.True(Validate(http, new ModelOptions(), maxWait: TimeSpan.FromMinutes(2)).Succeeded);

        // The simulated source never fails an item: its budget does not matter.
        Assert.True(Validate(
            new MetadataOptions { ItemFailureBudget = TimeSpan.FromMinutes(1) }, new ModelOptions(), maxWait: TimeSpan.FromSeconds(30)).Succeeded);
    }

    private static ValidateOptionsResult Validate(MetadataOptions metadata, ModelOptions model, TimeSpan? maxWait = null) =>
        new MetadataOptionsValidator(Options.Create(model), Options.Create(new OutageOptions { MaxWait = maxWait ?? TimeSpan.FromMinutes(5) }))
            .Validate(null, metadata);
}
