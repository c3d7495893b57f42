package main

import (
	"context"
	"errors"
	"fmt"

	"tonegrid"
	"tonegrid/app"
	"tonegrid/auth"
	"tonegrid/i18n"
	"tonegrid/password"
)

func runUsers(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(env.stderr, "Usage: tonegrid users create --email E --password P --role R [--tenant UUID]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errFlagHelp
		}
		return errors.New("users: want the create subcommand")
	}
	fs := newFlagSet(env, "users create", "Creates a user with a verified email in the root tenant, or in --tenant.\nUse it to create platform staff (super_admin) or to recover access.")
	email := fs.String("email", "", "email address (required)")
	plain := fs.String("password", "", "password, 10–128 characters, not a common one (required)")
	role := fs.String("role", "", "super_admin, label_admin, staff or artist (required)")
	tenant := fs.String("tenant", "", "uuid of the tenant; default: the root tenant")
	name := fs.String("name", "", "display name")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	var v tonegrid.Violations
	if *email == "" {
		v.Add("email", "required")
	}
	if !tonegrid.Role(*role).Valid() {
		v.Add("role", "not_in_list", "allowed", "super_admin, label_admin, staff, artist")
	}
	auth.ValidatePassword(&v, "password", *plain, *email)
	if len(v) > 0 {
		for field, errs := range v {
			for _, fe := range errs {
				fmt.Fprintf(env.stderr, "--%s: %s\n", field, i18n.Message(i18n.Default, fe.Code, fe.Params))
			}
		}
		return errors.New("users create: invalid flags")
	}
	if *role == string(tonegrid.RoleSuperAdmin) && *tenant != "" {
		return errors.New("users create: super_admin users belong to the root tenant; drop --tenant")
	}
	cfg, _, err := loadConfig(env)
	if err != nil {
		return err
	}
	db, err := app.OpenDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	hash, err := password.Hash(*plain, password.Default)
	if err != nil {
		return err
	}
	u, err := db.CreateUser(ctx, *tenant, *email, *name, tonegrid.Role(*role), hash)
	if err != nil {
		if e, ok := tonegrid.ErrorOf(err); ok {
			for field, errs := range e.Fields {
				for _, fe := range errs {
					fmt.Fprintf(env.stderr, "--%s: %s\n", field, i18n.Message(i18n.Default, fe.Code, fe.Params))
				}
			}
			return fmt.Errorf("users create: %s", e.Message)
		}
		return err
	}
	fmt.Fprintf(env.stdout, "created %s %s (%s)\n", u.Role, u.Email, u.UUID)
	return nil
}
