use sqlx::FromRow;

use crate::error::conflict_on_unique;
use crate::{Store, StoreError};

/// A picture, video or slides upload of one room. The files are in the
/// media store, named by the digests, and this row ties them to the room.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct MediaItem {
    pub id: String,
    pub room_id: String,
    /// `image`, `video` or `slides`.
    pub kind: String,
    /// Media type of the served files, such as `image/png`.
    pub content_type: String,
    /// Width in pixels, or `None` for a video.
    pub width: Option<i64>,
    /// Height in pixels, or `None` for a video.
    pub height: Option<i64>,
    /// SHA-256 digests of the stored files, as 64 lowercase hex digits.
    pub original_digest: String,
    pub display_digest: String,
    /// `None` for a video, which has no thumbnail.
    pub thumbnail_digest: Option<String>,
    /// The uploader's file name, cleaned for display.
    pub filename: Option<String>,
    /// A user id or a participant id.
    pub uploaded_by: String,
    pub created_at: i64,
    /// For a page of slides: the slides upload it belongs to.
    pub slides_id: Option<String>,
    /// For a page of slides: its index, 0 for the first page.
    pub page_index: Option<i64>,
}

/// The fields of a media item to create. A page of slides is created with
/// its slides item by [`Store::create_media`].
#[derive(Debug, Clone)]
pub struct NewMedia<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub content_type: &'a str,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub original_digest: &'a str,
    pub display_digest: &'a str,
    pub thumbnail_digest: Option<&'a str>,
}

/// The fields every item of one upload shares.
#[derive(Debug, Clone)]
pub struct MediaUpload<'a> {
    pub room_id: &'a str,
    pub filename: Option<&'a str>,
    pub uploaded_by: &'a str,
    pub created_at: i64,
}

const MEDIA_COLUMNS: &str = "id, room_id, kind, content_type, width, height, original_digest, \
     display_digest, thumbnail_digest, filename, uploaded_by, created_at, slides_id, page_index";

impl Store {
    /// Creates a media item and, for slides, one `image` item per page in
    /// page order, in one transaction. Returns the item and its pages.
    pub async fn create_media(
        &self,
        upload: &MediaUpload<'_>,
        item: &NewMedia<'_>,
        pages: &[NewMedia<'_>],
    ) -> Result<(MediaItem, Vec<MediaItem>), StoreError> {
        let mut transaction = self.pool().begin().await?;
        let created = insert_media(&mut transaction, upload, item, None).await?;
        let mut page_items = Vec::with_capacity(pages.len());
        for (index, page) in pages.iter().enumerate() {
            let index = i64::try_from(index).unwrap_or(i64::MAX);
            let parent = Some((item.id, index));
            page_items.push(insert_media(&mut transaction, upload, page, parent).await?);
        }
        transaction.commit().await?;
        Ok((created, page_items))
    }

    /// Returns media item `id` if it belongs to room `room_id`. An item of
    /// another room is `None`, the same as an unknown id.
    pub async fn media_item(
        &self,
        room_id: &str,
        id: &str,
    ) -> Result<Option<MediaItem>, StoreError> {
        let query = format!("SELECT {MEDIA_COLUMNS} FROM media WHERE id = $1 AND room_id = $2");
        Ok(sqlx::query_as(&query)
            .bind(id)
            .bind(room_id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Lists the pages of a slides item in page order.
    pub async fn slide_pages(&self, slides_id: &str) -> Result<Vec<MediaItem>, StoreError> {
        let query =
            format!("SELECT {MEDIA_COLUMNS} FROM media WHERE slides_id = $1 ORDER BY page_index");
        Ok(sqlx::query_as(&query)
            .bind(slides_id)
            .fetch_all(self.pool())
            .await?)
    }
}

async fn insert_media(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    upload: &MediaUpload<'_>,
    item: &NewMedia<'_>,
    page_of: Option<(&str, i64)>,
) -> Result<MediaItem, StoreError> {
    let (slides_id, page_index) = page_of.unzip();
    sqlx::query(
        "INSERT INTO media (id, room_id, kind, content_type, width, height, original_digest, \
         display_digest, thumbnail_digest, filename, uploaded_by, created_at, slides_id, page_index) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(item.id)
    .bind(upload.room_id)
    .bind(item.kind)
    .bind(item.content_type)
    .bind(item.width)
    .bind(item.height)
    .bind(item.original_digest)
    .bind(item.display_digest)
    .bind(item.thumbnail_digest)
    .bind(upload.filename)
    .bind(upload.uploaded_by)
    .bind(upload.created_at)
    .bind(slides_id)
    .bind(page_index)
    .execute(&mut **transaction)
    .await
    .map_err(|error| conflict_on_unique(error, "a media item with this id"))?;

    Ok(MediaItem {
        id: item.id.to_owned(),
        room_id: upload.room_id.to_owned(),
        kind: item.kind.to_owned(),
        content_type: item.content_type.to_owned(),
        width: item.width,
        height: item.height,
        original_digest: item.original_digest.to_owned(),
        display_digest: item.display_digest.to_owned(),
        thumbnail_digest: item.thumbnail_digest.map(str::to_owned),
        filename: upload.filename.map(str::to_owned),
        uploaded_by: upload.uploaded_by.to_owned(),
        created_at: upload.created_at,
        slides_id: slides_id.map(str::to_owned),
        page_index,
    })
}
