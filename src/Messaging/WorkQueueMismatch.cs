using System.Globalization;
using System.Text.RegularExpressions;
using Predictions.Messaging.Broker;

namespace Predictions.Messaging;

/// <summary>
/// Says, in terms of the <c>WorkQueue:*</c> settings, why the broker refused a declaration of the work queue with 406
/// PRECONDITION_FAILED: the queue exists with another value of one of its arguments. RabbitMQ 3.10 names the first
/// argument that differs and both values, e.g. <c>inequivalent arg 'x-max-length' for queue 'prediction-worker' in vhost
/// 'v': received '5' but current is '100000'</c> (or <c>received the value '3' of type 'signedint' but current is none</c>).
/// </summary>
public static partial class WorkQueueMismatch
{
    /// <summary>The message for <paramref name="refusal"/>: our setting and its value, the queue's value, the broker's reply.</summary>
    public static string Describe(BrokerRefusal refusal, WorkQueueOptions options)
    {
        var recreate = "RabbitMQ fixes a queue's arguments when it is first declared: change them only by recreating the queue "
            + $"(README, \"RabbitMQ topology\"). The broker said: {refusal.ReplyText}";
        if (InequivalentArgument().Match(refusal.ReplyText) is not { Success: true } match)
        {
            return $"The broker refused to declare the work queue {Topology.WorkQueue} with the arguments WorkQueue:MaxLength, "
                + $"WorkQueue:DeliveryLimit and WorkQueue:QuorumInitialGroupSize give it. {recreate}";
        }

        var argument = match.Groups["argument"].Value;
        var current = Value(match.Groups["current"].Value);
        return Setting(argument, options) is { } setting
            ? $"The work queue {Topology.WorkQueue} exists with {argument} = {current}, but {setting.Name} = {setting.Value} here. "
                + $"Give every gateway and worker {setting.Name} = {current}, or recreate the queue with the new value. {recreate}"
            : $"The work queue {Topology.WorkQueue} exists with {argument} = {current}, but this version of the service declares "
                + $"{Value(match.Groups["received"].Value)}: it was made by another version, or by hand. {recreate}";
    }

    /// <summary>
    /// The setting that gives the work queue <paramref name="argument"/>, with its value here; null for an argument no setting gives.
    /// </summary>
    private static (string Name, string Value)? Setting(string argument, WorkQueueOptions options) => argument switch
    {
        "x-max-length" => ($"{WorkQueueOptions.Section}:{nameof(WorkQueueOptions.MaxLength)}", Text(options.MaxLength)),
        "x-delivery-limit" => ($"{WorkQueueOptions.Section}:{nameof(WorkQueueOptions.DeliveryLimit)}", Text(options.DeliveryLimit)),
        "x-quorum-initial-group-size" =>
            ($"{WorkQueueOptions.Section}:{nameof(WorkQueueOptions.QuorumInitialGroupSize)}", Text(options.QuorumInitialGroupSize)),
        _ => null,
    };

    private static string Text(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "unset";

    // "'5'", "the value '5' of type 'signedint'" or "none".
    private static string Value(string reported) =>
        QuotedValue().Match(reported) is { Success: true } quoted ? quoted.Groups["value"].Value : "unset";

    [GeneratedRegex(@"inequivalent arg '(?<argument>[^']+)' for queue '[^']*' in vhost '[^']*': "
        + @"received (?<received>.+) but current is (?<current>.+)$")]
    private static partial Regex InequivalentArgument();

    [GeneratedRegex(@"^(?:the value )?'(?<value>[^']*)'")]
    private static partial Regex QuotedValue();
}
