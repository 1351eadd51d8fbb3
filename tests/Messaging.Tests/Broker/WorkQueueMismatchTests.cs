using Predictions.Messaging.Broker;


namespace Predictions.Messaging.Tests.Broker;

/// <summary>A work queue that exists with other arguments is explained in terms of the settings, from RabbitMQ 3.10.8's own replies.</summary>
public sealed class WorkQueueMismatchTests
{
    private static readonly WorkQueueOptions Options = new() { MaxLength = 5, DeliveryLimit = 3 };

    [Theory]
    [InlineData(
        "PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue 'prediction-worker' in vhost 'v': received '5' but current is '100000'",
        "WorkQueue:MaxLength = 5",
        "x-max-length = 100000")]
    [InlineData(
        "PRECONDITION_FAILED - inequivalent arg 'x-delivery-limit' for queue 'prediction-worker' in vhost 'v': received '3' but current is '10'",
        "WorkQueue:DeliveryLimit = 3",
        "x-delivery-limit = 10")]
    [InlineData(
        "PRECONDITION_FAILED - inequivalent arg 'x-quorum-initial-group-size' for queue 'prediction-worker' in vhost 'v': "
        + "received none but current is the value '3' of type 'signedint'",
        "WorkQueue:QuorumInitialGroupSize = unset",
        "x-quorum-initial-group-size = 3")]
    public void A_differing_argument_that_a_setting_gives_names_the_setting_its_value_here_and_the_queues(string reply, string ours, string theirs)
    {
        var message = WorkQueueMismatch.Describe(new BrokerRefusal(BrokerRefusal.PreconditionFailed, reply), Options);

        Assert.Contains(ours, message, StringComparison.Ordinal);
        Assert.Contains(theirs, message, StringComparison.Ordinal);
        Assert.EndsWith(reply, message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_differing_argument_no_setting_gives_says_which_and_that_the_queue_was_made_elsewhere()
    {
        const string Reply = "PRECONDITION_FAILED - inequivalent arg 'x-overflow' for queue 'prediction-worker' in vhost 'v': "
            + "received 'reject-publish' but current is 'drop-head'";

        var message = WorkQueueMismatch.Describe(new BrokerRefusal(BrokerRefusal.PreconditionFailed, Reply), Options);

        Assert.Contains("x-overflow = drop-head", message, StringComparison.Ordinal);
        Assert.Contains("declares reject-publish", message, StringComparison.Ordinal);
        Assert.DoesNotContain("WorkQueue:MaxLength =", message, StringComparison.Ordinal);
    }
}
