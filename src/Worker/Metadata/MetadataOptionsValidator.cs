using System.Globalization;
using Microsoft.Extensions.Options;
using Predictions.Messaging.Outages;
using Predictions.Worker.Models;

namespace Predictions.Worker.Metadata;

/// <summary>What <see cref="MetadataOptions"/> must agree on with other sections.</summary>
public sealed class MetadataOptionsValidator(IOptions<ModelOptions> model, IOptions<OutageOptions> outages) : IValidateOptions<MetadataOptions>
{
    public ValidateOptionsResult Validate(string? name, MetadataOptions options)
    {
        var failures = new List<string>();
        if (options.SimulatedFaultItemId is { } item && !model.Value.AllowFaultInjection)
        {
            failures.Add(
                $"Metadata:SimulatedFaultItemId is {item.ToString(CultureInfo.InvariantCulture)}: every request for that item would fail. "
                + "It is for fault tests only and needs Model:AllowFaultInjection=true; unset it anywhere clients are real.");
        }

        // Only a source that can fail an item makes the budget matter.
        var maxWait = outages.Value.MaxWait;
        if (options.Source == MetadataSourceKind.Http && options.ItemFailureBudget >= maxWait)
        {
            failures.Add(
                $"Metadata:ItemFailureBudget ({options.ItemFailureBudget}) must be shorter than Outages:MaxWait ({maxWait}): "
                + "a request that waits as long as one delivery may goes back to its queue before its item could be judged.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
