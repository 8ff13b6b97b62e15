/** The built-in tenant of the admin key: the key itself is never stored, it is set where the gateway starts. */
export const sql = `INSERT INTO tenants (id, name) VALUES ('admin', 'admin') ON CONFLICT DO NOTHING;`;
