global using MemberRoleStore = Synaxis.ServiceKit.Membership.MemberRoleStore<Synaxis.RateLimit.Infrastructure.RateLimitDbContext>;
global using Synaxis.ServiceKit.Membership;
