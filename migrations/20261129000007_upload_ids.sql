-- An upload into S3 goes into a multipart upload; its ID is kept with the upload so that, should
-- the instance die, whoever removes the upload can abort it and leave no parts in the bucket.
ALTER TABLE uploads ADD COLUMN upload_id TEXT;
