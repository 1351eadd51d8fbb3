namespace Predictions.Messaging.Rollouts;

/// <summary>
/// The rollout state this host routes by: the settings' (<see cref="RolloutSeed"/>) until a newer one is stored or
/// heard. Only a higher revision replaces it, so an announcement heard late never takes a host back.
/// </summary>
public sealed class CurrentRollout(RolloutState initial)
{
    private readonly object _lock = new();
    private volatile RolloutState _state = initial;

    public RolloutState State => _state;

    /// <summary>Takes <paramref name="state"/> if it is newer than the one held; true when it did.</summary>
    public bool Advance(RolloutState state)
    {
        lock (_lock)
        {
            if (state.Revision <= _state.Revision && (_state.Stored || !state.Stored))
            {
                return false;
            }

            _state = state;
            return true;
        }
    }
}
