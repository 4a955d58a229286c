namespace Clearinghouse.Storage.Tests;

public abstract partial class StoreContractTests
{
    private IReviewerStore Reviewers => (IReviewerStore)Store;

    private const string SomeHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";

    [Fact]
    public async Task A_reviewer_is_created_with_protective_defaults_and_found_by_member_and_username()
    {
        Member member = await MemberAsync();
        Reviewer created = await Reviewers.CreateReviewerAsync(member.Id, "alice", SomeHash, ApiScopes.Review);

        Assert.Equal(ReviewerSettings.Default, created.Settings);
        Assert.True(created.Settings.BlurPreviews);
        Assert.False(created.IsDisabled);
        Assert.Equal(0, created.FailedSignIns);
        Assert.Equal(created, await Reviewers.GetReviewerAsync(created.Id));
        Assert.Equal(created, await Reviewers.FindReviewerAsync(member.Id, "alice"));
        Assert.Null(await Reviewers.FindReviewerAsync(member.Id, "Alice"));
        Assert.Null(await Reviewers.GetReviewerAsync(created.Id + 1000));
    }

    [Fact]
    public async Task Usernames_are_unique_per_member_only()
    {
        Member a = await MemberAsync();
        Member b = await MemberAsync();
        await Reviewers.CreateReviewerAsync(a.Id, "sam", SomeHash, ApiScopes.Review);
        await Reviewers.CreateReviewerAsync(b.Id, "sam", SomeHash, ApiScopes.Review);
        await Refused(StoreError.Conflict, () => Reviewers.CreateReviewerAsync(a.Id, "sam", SomeHash, ApiScopes.Review));

        Assert.Equal(["sam"], (await Reviewers.ListReviewersAsync(a.Id)).Select(r => r.Username));
        Assert.Equal([a.Id, b.Id], (await Reviewers.ListReviewersAsync(null)).Select(r => r.MemberId));
    }

    [Fact]
    public async Task Bad_reviewers_are_refused_and_nothing_is_written()
    {
        Member member = await MemberAsync();
        await Refused(StoreError.Invalid, () => Reviewers.CreateReviewerAsync(member.Id, "", SomeHash, ApiScopes.Review));
        await Refused(StoreError.Invalid, () => Reviewers.CreateReviewerAsync(member.Id, "has space", SomeHash, ApiScopes.Review));
        await Refused(StoreError.Invalid, () => Reviewers.CreateReviewerAsync(member.Id, new string('x', 65), SomeHash, ApiScopes.Review));
        await Refused(StoreError.Invalid, () => Reviewers.CreateReviewerAsync(member.Id, "bob", "", ApiScopes.Review));
        await Refused(StoreError.Invalid, () => Reviewers.CreateReviewerAsync(member.Id, "bob", SomeHash, ApiScopes.Match));
        await Refused(StoreError.NotFound, () => Reviewers.CreateReviewerAsync(member.Id + 1000, "bob", SomeHash, ApiScopes.Review));
        Assert.Empty(await Reviewers.ListReviewersAsync(null));
    }

    [Fact]
    public async Task Failed_sign_ins_count_up_lock_as_told_and_a_sign_in_clears_them()
    {
        Member member = await MemberAsync();
        Reviewer reviewer = await Reviewers.CreateReviewerAsync(member.Id, "carol", SomeHash, ApiScopes.Review);
        var seen = new List<int>();
        TimeSpan LockAfterThree(int failures)
        {
            seen.Add(failures);
            return failures >= 3 ? TimeSpan.FromMinutes(5) : TimeSpan.Zero;
        }

        Assert.Null((await Reviewers.RecordFailedSignInAsync(reviewer.Id, LockAfterThree)).LockedUntil);
        Assert.Null((await Reviewers.RecordFailedSignInAsync(reviewer.Id, LockAfterThree)).LockedUntil);
        DateTimeOffset before = DateTimeOffset.UtcNow;
        Reviewer locked = await Reviewers.RecordFailedSignInAsync(reviewer.Id, LockAfterThree);
        Assert.Equal([1, 2, 3], seen);
        Assert.Equal(3, locked.FailedSignIns);
        Assert.InRange(locked.LockedUntil!.Value, before.AddMinutes(4), before.AddMinutes(6));
        Assert.Equal(locked, await Reviewers.GetReviewerAsync(reviewer.Id));

        Reviewer signedIn = await Reviewers.RecordSignInAsync(reviewer.Id);
        Assert.Equal(0, signedIn.FailedSignIns);
        Assert.Null(signedIn.LockedUntil);
        Assert.NotNull(signedIn.LastSignInAt);
    }

    [Fact]
    public async Task Disabling_and_a_new_password_end_sessions_by_raising_the_epoch()
    {
        Member member = await MemberAsync();
        Reviewer reviewer = await Reviewers.CreateReviewerAsync(member.Id, "dan", SomeHash, ApiScopes.Review);

        Reviewer disabled = await Reviewers.SetReviewerDisabledAsync(reviewer.Id, true);
        Assert.True(disabled.IsDisabled);
        Assert.Equal(reviewer.SessionEpoch + 1, disabled.SessionEpoch);
        Reviewer enabled = await Reviewers.SetReviewerDisabledAsync(reviewer.Id, false);
        Assert.False(enabled.IsDisabled);

        await Reviewers.RecordFailedSignInAsync(reviewer.Id, _ => TimeSpan.FromHours(1));
        Reviewer renewed = await Reviewers.SetReviewerPasswordAsync(reviewer.Id, SomeHash + "x");
        Assert.Equal(SomeHash + "x", renewed.PasswordHash);
        Assert.Equal(enabled.SessionEpoch + 1, renewed.SessionEpoch);
        Assert.Null(renewed.LockedUntil);
        Assert.Equal(0, renewed.FailedSignIns);
        await Refused(StoreError.NotFound, () => Reviewers.SetReviewerDisabledAsync(reviewer.Id + 1000, true));
    }

    [Fact]
    public async Task Wellness_settings_are_kept_and_out_of_range_values_refused()
    {
        Member member = await MemberAsync();
        Reviewer reviewer = await Reviewers.CreateReviewerAsync(member.Id, "erin", SomeHash, ApiScopes.Review);
        var settings = new ReviewerSettings(BlurPreviews: false, BreakAfterItems: 0, BreakAfterMinutes: 45);

        Assert.Equal(settings, (await Reviewers.UpdateReviewerSettingsAsync(reviewer.Id, settings)).Settings);
        Assert.Equal(settings, (await Reviewers.GetReviewerAsync(reviewer.Id))!.Settings);
        await Refused(StoreError.Invalid, () => Reviewers.UpdateReviewerSettingsAsync(reviewer.Id, settings with { BreakAfterItems = -1 }));
        await Refused(StoreError.Invalid, () => Reviewers.UpdateReviewerSettingsAsync(reviewer.Id, settings with { BreakAfterMinutes = 100_000 }));
        Assert.Equal(settings, (await Reviewers.GetReviewerAsync(reviewer.Id))!.Settings);
    }
}
