using Predictions.Gateway.Status;

namespace Predictions.Gateway.Tests.Status;

public sealed class PredictionWaitersTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(1);
    private readonly PredictionWaiters _waiters = new();

    [Fact]
    public async Task An_outcome_wakes_every_client_waiting_for_that_prediction_and_hands_it_over()
    {
        var outcome = Completed(Guid.NewGuid());
        using var first = _waiters.Register(outcome.Id);
        using var second = _waiters.Register(outcome.Id);
        var waiting = new[] { first.WaitAsync(Long, CancellationToken.None), second.WaitAsync(Long, CancellationToken.None) };

        _waiters.Notify([outcome]);

        Assert.All(await Task.WhenAll(waiting), wake => Assert.Equal(outcome, wake));
    }

    [Fact]
    public async Task An_outcome_for_another_prediction_wakes_nobody()
    {
        using var registration = _waiters.Register(Guid.NewGuid());

        _waiters.Notify([Completed(Guid.NewGuid())]);

        Assert.Null(await registration.WaitAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None));
    }

    [Fact]
    public async Task An_outcome_that_lands_after_registering_but_before_waiting_is_not_missed()
    {
        var outcome = Completed(Guid.NewGuid());
        using var registration = _waiters.Register(outcome.Id);

        _waiters.Notify([outcome]);

        Assert.Equal(outcome, await registration.WaitAsync(Long, CancellationToken.None));
    }

    [Fact]
    public async Task A_client_that_gives_up_leaves_nothing_behind()
    {
        var outcome = Completed(Guid.NewGuid());
        _waiters.Register(outcome.Id).Dispose();

        // A fresh registration must not see a signal left over from the abandoned one.
        using var registration = _waiters.Register(outcome.Id);
        Assert.Null(await registration.WaitAsync(TimeSpan.FromMilliseconds(20), CancellationToken.None));
        _waiters.Notify([outcome]);
        Assert.Equal(outcome, await registration.WaitAsync(Long, CancellationToken.None));
    }

    private static PredictionRecord Completed(Guid id) =>
        new(id, PredictionStatus.Completed, 1, 2, new Dictionary<string, double>(), 4, null,
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null, null);
}
