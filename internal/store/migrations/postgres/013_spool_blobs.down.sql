DROP TABLE spool_chunks;
DROP TABLE spool_blobs;
