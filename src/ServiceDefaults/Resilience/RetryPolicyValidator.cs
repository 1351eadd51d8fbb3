using Microsoft.Extensions.Options;

namespace Predictions.ServiceDefaults.Resilience;

/// <summary>Holds each named policy to its rule: at least one pause, not too many, each positive and not too long.</summary>
public sealed class RetryPolicyValidator : IValidateOptions<RetryPolicy>
{
    private static readonly TimeSpan MinPause = TimeSpan.FromMilliseconds(1);

    public ValidateOptionsResult Validate(string? name, RetryPolicy options)
    {
        if (name is null || !RetryPolicies.Names.Contains(name))
        {
            return ValidateOptionsResult.Skip;
        }

        var rule = RetryPolicies.Rule(name);
        var failures = new List<string>();
        if (options.Intervals.Length is 0 || options.Intervals.Length > rule.MaxPauses)
        {
            failures.Add($"{rule.Setting} must list between 1 and {rule.MaxPauses} pauses; it lists {options.Intervals.Length}.");
        }

        // Ascending is not required: a policy may well retry soon once more after a long pause.
        for (var i = 0; i < options.Intervals.Length; i++)
        {
            if (options.Intervals[i] < MinPause || options.Intervals[i] > rule.MaxPause)
            {
                failures.Add($"{rule.Setting}:{i} must be a time span between {MinPause:c} and {rule.MaxPause:c}; it is {options.Intervals[i]:c}.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
