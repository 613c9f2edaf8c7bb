-- 0010_instance_pending: an instance name is reserved before the engine has created it.

-- why: instance/create reserves the name (it counts as taken and against max_instances) before it calls
-- the engine; until the engine confirms, nobody may reach the instance, so a request racing the create
-- cannot act on a name whose engine instance does not exist yet (or belongs to no one if it fails).
ALTER TABLE taguato.user_instances ADD COLUMN pending boolean NOT NULL DEFAULT false;
