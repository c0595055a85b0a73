global using MemberRoleStore = Synaxis.ServiceKit.Membership.MemberRoleStore<Synaxis.Keys.Infrastructure.KeysDbContext>;
global using Synaxis.ServiceKit.Membership;
