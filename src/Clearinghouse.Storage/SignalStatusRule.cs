namespace Clearinghouse.Storage;

/// <summary>How opinions decide a signal's status.</summary>
public static class SignalStatusRule
{
    /// <summary>
    /// The status after an opinion changed the summary: a withdrawn signal stays withdrawn; otherwise mixed
    /// opinions (positive and negative) make it disputed, and it is active again once they are not mixed.
    /// </summary>
    public static SignalStatus After(SignalStatus current, OpinionSummary opinions) =>
        current == SignalStatus.Withdrawn ? SignalStatus.Withdrawn
        : opinions.IsMixed ? SignalStatus.Disputed
        : SignalStatus.Active;
}
